import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CustomerRegistered,
  PurchaseRecorded,
  type CustomerRegisteredV1,
  type EventEnvelope,
  type PurchaseRecordedV1,
} from '@crm/contracts';
import { batchContext, RUN_CUSTOMERS, takeBothWays, testSchema, type TestSchema } from '@crm/testing';
import { TaggingHandlers } from '../src/customers/tagging.handlers';
import type { ExclusionsService } from '../src/preferences/exclusions.service';
import { TAGGING_MIGRATIONS } from '../src/migrations';
import { standaloneRescoring } from '../src/sweeps/standalone-sweep';

/**
 * Tagging takes a run of registrations or purchases together (one transaction, a few statements per wave
 * of customers). Whatever the run, the outcome must be the one of taking the same events one by one, each
 * in its own transaction: the same read model, scores, stage history, segment membership and the same
 * events, each with its own event as the cause (real Postgres, the service's own migrations).
 */
interface Side {
  tables: TestSchema;
  handlers: TaggingHandlers;
}

let one: Side;
let batched: Side;

async function side(name: string): Promise<Side> {
  const tables = await testSchema(name, TAGGING_MIGRATIONS);
  const { rescoring, segments } = standaloneRescoring({
    dataSource: tables.dataSource,
    schema: tables.schema,
    databaseUrl: process.env.DATABASE_URL!,
    segmentTimeoutMs: 10_000,
  });
  await segments.upsert(tables.dataSource.manager, 'big-spenders', 'dynamic', 'spend_12m >= 1500', null);
  return { tables, handlers: new TaggingHandlers(rescoring, {} as ExclusionsService) };
}

beforeAll(async () => {
  one = await side('tagging_batch_one');
  batched = await side('tagging_batch_run');
});

afterAll(async () => {
  await one?.tables.drop();
  await batched?.tables.drop();
});

const CUSTOMERS = RUN_CUSTOMERS;
const DAY = 86_400_000;

type Generated =
  | { kind: 'registered'; customer: number; startedDaysAgo: number; industry?: string; marketing: boolean }
  | {
      kind: 'purchase';
      customer: number;
      order: number;
      daysAgo: number;
      lines: { category: string; quantity: number; unitPrice: number }[];
      historical: boolean;
    };

const registered = fc.record({
  kind: fc.constant('registered' as const),
  customer: fc.nat({ max: CUSTOMERS.length - 1 }),
  startedDaysAgo: fc.integer({ min: 0, max: 2000 }),
  industry: fc.option(fc.constantFrom('retail', 'manufacturing'), { nil: undefined }),
  marketing: fc.boolean(),
});
const purchase = fc.record({
  kind: fc.constant('purchase' as const),
  customer: fc.nat({ max: CUSTOMERS.length - 1 }),
  // Few order ids, so that one order comes twice (a repeat, or two customers naming one order).
  order: fc.nat({ max: 12 }),
  daysAgo: fc.integer({ min: 0, max: 800 }),
  lines: fc.array(
    fc.record({
      category: fc.constantFrom('pumps', 'valves', 'service'),
      quantity: fc.integer({ min: 1, max: 5 }),
      unitPrice: fc.integer({ min: 1, max: 900 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  historical: fc.boolean(),
});
/** Runs of one topic each: registrations, or purchases; a run is what the transport hands over together. */
const runs = fc.array(
  fc.oneof(
    fc.array(registered, { minLength: 1, maxLength: 6 }),
    fc.array(purchase, { minLength: 1, maxLength: 12 }),
  ),
  { minLength: 1, maxLength: 5 },
);

function envelope(
  generated: Generated,
  now: number,
): EventEnvelope<CustomerRegisteredV1 | PurchaseRecordedV1> {
  const customerId = CUSTOMERS[generated.customer];
  const meta = {
    id: randomUUID(),
    source: '/crm/customer-profile',
    subject: customerId,
    correlationId: randomUUID(),
  };
  if (generated.kind === 'registered') {
    const started = new Date(now - generated.startedDaysAgo * DAY).toISOString();
    return {
      ...meta,
      type: CustomerRegistered.type,
      time: started,
      data: {
        customerId,
        kind: 'company',
        industry: generated.industry,
        registeredAt: started,
        relationshipStartedAt: started,
        consents: [
          { channel: 'email', purpose: 'marketing', granted: generated.marketing, changedAt: started },
        ],
      } as CustomerRegisteredV1,
    };
  }
  const occurredAt = new Date(now - generated.daysAgo * DAY).toISOString();
  const amount = generated.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
  return {
    ...meta,
    type: PurchaseRecorded.type,
    time: occurredAt,
    historical: generated.historical || undefined,
    data: {
      customerId,
      orderId: `SO-${generated.order}`,
      amount,
      currency: 'EUR',
      occurredAt,
      items: generated.lines.map((l, i) => ({ sku: `SKU-${i}`, ...l })),
    } as PurchaseRecordedV1,
  };
}

async function handle(side: Side, events: EventEnvelope[], manager: EntityManager): Promise<void> {
  const context = batchContext(events, manager);
  if (events[0].type === CustomerRegistered.type)
    await side.handlers.onCustomersRegistered(events as EventEnvelope<CustomerRegisteredV1>[], context);
  else await side.handlers.onPurchasesRecorded(events as EventEnvelope<PurchaseRecordedV1>[], context);
}

const TIMES = new Set(['scoredAt', 'changedAt', 'scored_at', 'changed_at', 'entered_at', 'updated_at', 'id']);
const withoutTimes = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).filter(([key]) => !TIMES.has(key)));

/** What tagging holds and has queued to publish, without the times of the moment the events were taken. */
async function outcome(db: DataSource): Promise<Record<string, unknown>> {
  const rows = async (sql: string) =>
    ((await db.query(sql)) as Record<string, unknown>[]).map((row) =>
      JSON.parse(JSON.stringify(withoutTimes(row))),
    );
  const outbox = (await db.query(
    'SELECT message_key, event_type, headers, payload FROM outbox ORDER BY seq',
  )) as { message_key: string; event_type: string; headers: Record<string, string>; payload: string }[];
  // Per customer, in order: the order the contract promises (one customer's events are one partition's).
  const events: Record<string, unknown[]> = {};
  for (const row of outbox) {
    const { ce_id, ce_time, traceparent, tracestate, ...headers } = row.headers;
    void [ce_id, ce_time, traceparent, tracestate];
    (events[row.message_key] ??= []).push({
      type: row.event_type,
      headers,
      payload: withoutTimes(JSON.parse(row.payload) as Record<string, unknown>),
    });
  }
  return {
    customers: await rows(
      `SELECT customer_id, registered, relationship_started_at, industry, consents, acquisition_channel, acquisition_cost
         FROM customers ORDER BY customer_id`,
    ),
    facts: await rows('SELECT * FROM purchase_facts ORDER BY order_id'),
    spend: await rows('SELECT * FROM customer_category_spend ORDER BY customer_id, category'),
    scores: await rows('SELECT * FROM customer_scores ORDER BY customer_id'),
    stages: await rows('SELECT * FROM stage_history ORDER BY customer_id, id'),
    members: await rows('SELECT * FROM segment_members ORDER BY segment_id, customer_id'),
    segmentChanges: await rows('SELECT * FROM segment_changes ORDER BY customer_id, id'),
    events,
  };
}

const TABLES =
  'customers, purchase_facts, customer_category_spend, customer_scores, stage_history, segment_members, segment_changes, outbox';

describe('tagging takes runs of registrations and purchases together', () => {
  it('with the effects of taking them one by one, for any run', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (generated) => {
        await one.tables.dataSource.query(`TRUNCATE ${TABLES}`);
        await batched.tables.dataSource.query(`TRUNCATE ${TABLES}`);
        const now = Date.now();
        const taken = generated.map((run) => run.map((g) => envelope(g, now)));
        await takeBothWays(taken, one, batched, handle);
        const expected = await outcome(one.tables.dataSource);
        expect(await outcome(batched.tables.dataSource)).toEqual(expected);
        // The comparison is not empty: every purchase left a fact, every registration a customer.
        const orders = new Set(
          generated.flat().flatMap((g) => (g.kind === 'purchase' ? [`SO-${g.order}`] : [])),
        );
        expect((expected.facts as unknown[]).length).toBe(orders.size);
      }),
      { numRuns: 40 },
    );
  });

  it('gives each customer of a run its own event as the cause', async () => {
    await batched.tables.dataSource.query(`TRUNCATE ${TABLES}`);
    const now = Date.now();
    const run = CUSTOMERS.map((_, customer) =>
      envelope({ kind: 'registered', customer, startedDaysAgo: 30, marketing: true }, now),
    );
    await batched.tables.dataSource.transaction((manager) => handle(batched, run, manager));
    const scores = (await batched.tables.dataSource.query(
      'SELECT customer_id, caused_by_event_id FROM customer_scores',
    )) as { customer_id: string; caused_by_event_id: string }[];
    expect(scores).toHaveLength(CUSTOMERS.length);
    for (const event of run) {
      const score = scores.find((s) => s.customer_id === event.subject.toLowerCase());
      expect(score?.caused_by_event_id).toBe(event.id);
    }
    const outbox = (await batched.tables.dataSource.query('SELECT message_key, headers FROM outbox')) as {
      message_key: string;
      headers: Record<string, string>;
    }[];
    for (const row of outbox) {
      const cause = run.find((e) => e.subject.toLowerCase() === row.message_key.toLowerCase());
      expect(row.headers.causationid).toBe(cause?.id);
      expect(row.headers.correlationid).toBe(cause?.correlationId);
    }
  });
});
