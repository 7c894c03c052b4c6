import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { testSchema, type TestSchema } from '@crm/testing';
import { TAGGING_MIGRATIONS } from '../src/migrations';
import type { RescoringService } from '../src/customers/rescoring.service';
import { churnMoved } from '../src/customers/rescore-events';
import { TaggingHandlers } from '../src/customers/tagging.handlers';
import type { ExclusionsService } from '../src/preferences/exclusions.service';
import type { EventContext } from '@crm/messaging';
import type { CustomerErasedV1, EventEnvelope } from '@crm/contracts';
import { standaloneRescoring } from '../src/sweeps/standalone-sweep';
import { SweepScheduler } from '../src/sweeps/sweep.scheduler';
import { SweepService } from '../src/sweeps/sweep.service';
import type { TaggingConfig } from '../src/tagging.config';

/**
 * A sweep leaves alone the customers whose scores were found steady past its as-of date. Whatever the
 * histories, the days between sweeps and the purchases scored on the event path in between, after every
 * sweep each customer's stored scores are what evaluating it afresh at that date gives: nobody left alone
 * had scores time could move (real Postgres, the service's own migrations and statements).
 */
let tables: TestSchema;
let dataSource: DataSource;
let rescoring: RescoringService;
let sweep: SweepService;

beforeAll(async () => {
  tables = await testSchema('tagging_steady', TAGGING_MIGRATIONS);
  dataSource = tables.dataSource;
  const wired = standaloneRescoring({
    dataSource,
    schema: tables.schema,
    databaseUrl: process.env.DATABASE_URL!,
    segmentTimeoutMs: 10_000,
  });
  rescoring = wired.rescoring;
  sweep = new SweepService(dataSource, rescoring, wired.segments, wired.membership);
});

afterAll(() => tables.drop());

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 31, 22, 0);

/** Moments around the first sweep: any, and month ends late in the day (where calendar months clamp). */
const moment = fc.oneof(
  fc.integer({ min: -800 * DAY, max: 200 * DAY }).map((offset) => T0 + offset),
  fc
    .record({
      month: fc.integer({ min: -26, max: 6 }),
      day: fc.integer({ min: 27, max: 31 }),
      ms: fc.nat(DAY - 1),
    })
    .map(({ month, day, ms }) => Date.UTC(2026, month, 1) + (day - 1) * DAY + ms),
);
const cents = fc.oneof(
  fc.constantFrom(500_000, 2_000_000, 5_000_000),
  fc.integer({ min: 1, max: 12_000_000 }),
);
const customer = fc.record({
  id: fc.uuid({ version: 4 }),
  startedAt: moment,
  manualTags: fc.boolean().map((vip): string[] => (vip ? ['vip'] : [])),
  purchases: fc.array(fc.record({ cents, at: moment }), { maxLength: 7 }),
  // Most within the churn model's two windows of the first sweeps, where they move the churn risk.
  interactions: fc.array(
    fc.oneof(
      moment,
      fc.integer({ min: -200 * DAY, max: 40 * DAY }).map((offset) => T0 + offset),
    ),
    { maxLength: 9 },
  ),
});
type Customer = typeof customer extends fc.Arbitrary<infer T> ? T : never;

const step = fc.record({
  gap: fc.oneof(
    fc.constantFrom(1, 3_600_000, DAY, 13 * DAY, 29 * DAY, 92 * DAY),
    fc.integer({ min: 1, max: 400 * DAY }),
  ),
  purchase: fc.option(
    fc.record({ customer: fc.nat(), cents, offset: fc.integer({ min: -400 * DAY, max: 60 * DAY }) }),
    { nil: null },
  ),
});

async function store(customers: Customer[]): Promise<void> {
  await dataSource.query(
    `TRUNCATE customers, customer_scores, customer_reviews, purchase_facts, customer_category_spend,
              interaction_facts, customer_needs, stage_history, outbox, sweep_runs`,
  );
  await dataSource.query(
    `INSERT INTO customers (customer_id, registered, relationship_started_at, manual_tags)
     SELECT id, true, s, ARRAY(SELECT jsonb_array_elements_text(t::jsonb))
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS rows(id, s, t)`,
    [
      customers.map((c) => c.id),
      customers.map((c) => new Date(c.startedAt)),
      customers.map((c) => JSON.stringify(c.manualTags)),
    ],
  );
  const purchases = customers.flatMap((c) =>
    c.purchases.map((p, i) => ({ ...p, id: c.id, order: `${c.id}-${i}` })),
  );
  await insertPurchases(purchases);
  const interactions = customers.flatMap((c) => c.interactions.map((at) => ({ at, id: c.id })));
  await dataSource.query(
    `INSERT INTO interaction_facts (interaction_id, customer_id, occurred_at, channel, direction)
     SELECT gen_random_uuid(), id, at, 'phone', 'inbound' FROM unnest($1::uuid[], $2::timestamptz[]) AS rows(id, at)`,
    [interactions.map((i) => i.id), interactions.map((i) => new Date(i.at))],
  );
}

async function insertPurchases(purchases: Array<{ id: string; order: string; cents: number; at: number }>) {
  await dataSource.query(
    `INSERT INTO purchase_facts (order_id, customer_id, amount, occurred_at, category_amounts, event_id)
     SELECT o, id, a / 100.0, at, '{}', o FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::timestamptz[]) AS rows(o, id, a, at)`,
    [
      purchases.map((p) => p.order),
      purchases.map((p) => p.id),
      purchases.map((p) => p.cents),
      purchases.map((p) => new Date(p.at)),
    ],
  );
}

/** Every customer's stored scores and churn alert are what an evaluation at `asOf` finds. */
async function expectCurrent(ids: string[], asOf: number): Promise<void> {
  const evaluations = await rescoring.evaluate(dataSource.manager, ids, new Date(asOf));
  expect(
    evaluations.map((e) => ({ id: e.customerId, changed: e.changed, churnMoved: churnMoved(e) })),
  ).toEqual(evaluations.map((e) => ({ id: e.customerId, changed: [], churnMoved: false })));
}

const run = (asOf: number) =>
  sweep.run({ trigger: 'on-demand', asOf: new Date(asOf), batchSize: 3, concurrency: 2 });

describe('steady customers', () => {
  it('are left alone only while time cannot move their scores, for any histories, gaps and purchases', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(customer, { selector: (c) => c.id, minLength: 1, maxLength: 8 }),
        fc.array(step, { minLength: 1, maxLength: 4 }),
        async (customers, steps) => {
          await store(customers);
          const ids = customers.map((c) => c.id);
          let asOf = T0;
          const first = await run(asOf);
          expect(first.evaluated).toBe(customers.length);
          await expectCurrent(ids, asOf);
          for (const [n, { gap, purchase }] of steps.entries()) {
            if (purchase) {
              // A purchase between two sweeps, scored on the event path when it arrives.
              const arrives = asOf + Math.floor(gap / 2);
              const id = ids[purchase.customer % ids.length];
              await insertPurchases([
                { id, order: `step-${n}`, cents: purchase.cents, at: arrives + purchase.offset },
              ]);
              await dataSource.transaction((manager) =>
                rescoring.rescoreEach(manager, new Map([[id, { correlationId: 'test' }]]), new Date(arrives)),
              );
            }
            asOf += gap;
            const swept = await run(asOf);
            expect(swept.customers).toBe(customers.length);
            await expectCurrent(ids, asOf);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('are looked at again when their range ends, at an earlier date, and under other rules', async () => {
    const id = '3f1c2a4e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
    const last = T0 - 10 * DAY;
    await store([
      {
        id,
        startedAt: T0 - 900 * DAY,
        manualTags: [],
        purchases: [{ cents: 2_500_000, at: last }],
        interactions: [],
      },
    ]);
    expect((await run(T0)).evaluated).toBe(1);
    // Within a month of the purchase ("stable": last purchase within 1 month) nothing can move: left alone.
    expect((await run(T0 + DAY)).evaluated).toBe(0);
    expect((await run(T0 + 17 * DAY)).evaluated).toBe(0);
    // 28 days after it, the shortest month could have ended.
    expect((await run(last + 28 * DAY)).evaluated).toBe(1);
    // A sweep at a date before the range was found: looked at.
    expect((await run(T0 - DAY)).evaluated).toBe(1);
    expect((await run(T0 - DAY)).evaluated).toBe(0);
    // A range found under another rule set does not count.
    await dataSource.query(`UPDATE customer_reviews SET rules_version = 'earlier-rules'`);
    expect((await run(T0 - DAY)).evaluated).toBe(1);
    // Asked to, a sweep looks at everyone.
    const everyone = await sweep.run({ trigger: 'on-demand', asOf: new Date(T0 - DAY), review: 'everyone' });
    expect([everyone.evaluated, everyone.review]).toEqual([1, 'everyone']);
  });

  it('are looked at again after an erasure, which takes their manual tags from the facts without a re-score', async () => {
    const id = '5a1c2a4e-8b7d-4c6e-9f0a-1b2c3d4e5f61';
    await store([
      {
        id,
        startedAt: T0 - 900 * DAY,
        manualTags: ['vip'],
        purchases: [{ cents: 2_500_000, at: T0 - 10 * DAY }],
        interactions: [],
      },
    ]);
    const tags = async () =>
      (
        (await dataSource.query('SELECT tags FROM customer_scores WHERE customer_id = $1', [id])) as {
          tags: string[];
        }[]
      )[0].tags;
    expect((await run(T0)).evaluated).toBe(1);
    expect(await tags()).toContain('manual:vip');
    expect((await run(T0 + DAY)).evaluated).toBe(0);
    const handlers = new TaggingHandlers(rescoring, {} as ExclusionsService);
    await dataSource.transaction((manager) =>
      handlers.onErased(
        { data: { customerId: id } } as EventEnvelope<CustomerErasedV1>,
        {
          manager,
        } as unknown as EventContext,
      ),
    );
    const swept = await run(T0 + 2 * DAY);
    expect([swept.evaluated, swept.changed]).toEqual([1, 1]);
    expect(await tags()).not.toContain('manual:vip');
  });

  it('are all looked at by a scheduled sweep every TAGGING_FULL_REVIEW_DAYS, and the first after an upgrade', async () => {
    await store([]);
    const scheduler = (days: number) =>
      new SweepScheduler(
        dataSource,
        sweep,
        { TAGGING_FULL_REVIEW_DAYS: days } as TaggingConfig,
        undefined as never,
      );
    // Never a full review (a new installation, or the first scheduled sweep after an upgrade).
    expect(await scheduler(7).review(new Date(T0))).toBe('everyone');
    expect(await scheduler(0).review(new Date(T0))).toBe('due');
    // A full review that failed does not count; one that finished does, for seven days.
    await dataSource.query(
      `INSERT INTO sweep_runs (id, as_of, trigger, status, started_at, review)
       VALUES (gen_random_uuid(), $1, 'schedule', 'failed', now(), 'everyone'),
              (gen_random_uuid(), $2, 'schedule', 'finished', now(), 'due')`,
      [new Date(T0 - DAY), new Date(T0 - DAY)],
    );
    expect(await scheduler(7).review(new Date(T0))).toBe('everyone');
    await sweep.run({ trigger: 'schedule', asOf: new Date(T0 - 3 * DAY), review: 'everyone' });
    expect(await scheduler(7).review(new Date(T0))).toBe('due');
    expect(await scheduler(7).review(new Date(T0 + 4 * DAY - 1))).toBe('due');
    expect(await scheduler(7).review(new Date(T0 + 4 * DAY))).toBe('everyone');
    expect(await scheduler(2).review(new Date(T0))).toBe('everyone');
  });
});
