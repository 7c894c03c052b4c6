import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { testSchema, type TestSchema } from '@crm/testing';
import { TAGGING_MIGRATIONS } from '../src/migrations';
import type { RescoringService } from '../src/customers/rescoring.service';
import { monthsBefore } from '../src/scoring/classify';
import { standaloneRescoring } from '../src/sweeps/standalone-sweep';

/**
 * The facts a customer is scored on, read by one statement for a whole batch (the sweep) or one customer
 * (the event path): for any history, they are what the rules say, computed here from the same rows in
 * plain JavaScript. Purchases net of refunds, the 12 months before the as-of date (its edges included),
 * nothing after the as-of date, spend per category, the interactions of the churn model's two windows, the
 * unsolved needs, the stored scores the evaluation compares against, and the moments at which time alone
 * moves those facts (the steady range's edges: purchases and interactions entering and leaving their windows;
 * real Postgres, the service's own migrations).
 */
let tables: TestSchema;
let dataSource: DataSource;
let rescoring: RescoringService;

beforeAll(async () => {
  tables = await testSchema('tagging_facts', TAGGING_MIGRATIONS);
  dataSource = tables.dataSource;
  ({ rescoring } = standaloneRescoring({
    dataSource,
    schema: tables.schema,
    databaseUrl: process.env.DATABASE_URL!,
    segmentTimeoutMs: 10_000,
  }));
});

afterAll(() => tables.drop());

const AS_OF = new Date('2026-03-31T12:00:00Z');
const DAY = 86_400_000;
const YEAR_BEFORE = monthsBefore(AS_OF, 12).getTime();

/** A moment near the as-of date: its edges, the year's edge, and anything in the two years around them. */
const moment = fc.oneof(
  fc.constantFrom(AS_OF.getTime(), AS_OF.getTime() + 1, YEAR_BEFORE, YEAR_BEFORE + 1, YEAR_BEFORE - 1),
  fc.integer({ min: -800 * DAY, max: 30 * DAY }).map((offset) => AS_OF.getTime() + offset),
);
const cents = fc.integer({ min: 1, max: 5_000_000 });
const purchase = fc
  .record({
    cents,
    refundShare: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    at: moment,
  })
  .map(({ cents: c, refundShare, at }) => ({ cents: c, refundedCents: Math.floor(c * refundShare), at }));
const customer = fc.record({
  id: fc.uuid({ version: 4 }),
  registered: fc.boolean(),
  startedAt: fc.option(moment, { nil: null }),
  manualTags: fc.uniqueArray(fc.constantFrom('vip', 'partner', 'pilot', 'tag "quoted"'), { maxLength: 3 }),
  purchases: fc.array(purchase, { maxLength: 8 }),
  categories: fc.uniqueArray(
    fc.record({ category: fc.constantFrom('pumps', 'valves', 'Seals', 'é-motors', 'a,b', '{x}'), cents }),
    { selector: (c) => c.category, maxLength: 4 },
  ),
  interactions: fc.array(moment, { maxLength: 6 }),
  needs: fc.array(
    fc.record({
      type: fc.constantFrom('delivery', 'pricing', 'quality'),
      status: fc.constantFrom('open', 'in-progress', 'solved', 'dropped'),
    }),
    { maxLength: 4 },
  ),
  scored: fc.boolean(),
});

type Customer = typeof customer extends fc.Arbitrary<infer T> ? T : never;

/** Postgres's order of uuids: their lower-case text, code unit by code unit. */
const byId = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1);

/** The facts of one customer as the rules define them, from the generated rows. */
function expected(c: Customer, windowDays: number) {
  const net = c.purchases.filter((p) => p.refundedCents < p.cents && p.at <= AS_OF.getTime());
  const inYear = net.filter((p) => p.at > YEAR_BEFORE);
  const times = net.map((p) => p.at);
  const windowStart = AS_OF.getTime() - windowDays * DAY;
  const own = c.interactions.filter((at) => at <= AS_OF.getTime() && at > windowStart - windowDays * DAY);
  const recent = own.filter((at) => at > windowStart);
  const earlier = own.filter((at) => at <= windowStart);
  const first = (xs: number[]) => (xs.length ? Math.min(...xs) : null);
  const later = (xs: number[]) => first(xs.filter((at) => at > AS_OF.getTime()));
  const netTimes = c.purchases.filter((p) => p.refundedCents < p.cents).map((p) => p.at);
  const beforeYear = times.filter((at) => at <= YEAR_BEFORE);
  return {
    relationshipStartedAt: c.startedAt,
    manualTags: [...c.manualTags],
    spend12mCents: inYear.reduce((sum, p) => sum + p.cents - p.refundedCents, 0),
    purchases12m: inYear.length,
    lifetimePurchases: net.length,
    lastPurchaseAt: times.length ? Math.max(...times) : null,
    firstPurchaseAt: times.length ? Math.min(...times) : null,
    categorySpend: Object.fromEntries(c.categories.map((k) => [k.category, k.cents / 100])),
    interactionsRecent: own.filter((at) => at > windowStart).length,
    interactionsBefore: own.filter((at) => at <= windowStart).length,
    needTypes: [
      ...new Set(c.needs.filter((n) => n.status === 'open' || n.status === 'in-progress').map((n) => n.type)),
    ].sort(),
    scored: c.scored,
    edges: {
      oldestIn12m: first(inYear.map((p) => p.at)),
      newestBefore12m: beforeYear.length ? Math.max(...beforeYear) : null,
      nextPurchaseAt: later(netTimes),
      oldestRecentInteraction: first(recent),
      oldestEarlierInteraction: first(earlier),
      nextInteractionAt: later(c.interactions),
    },
  };
}

async function store(customers: Customer[]): Promise<void> {
  await dataSource.query(
    'TRUNCATE customers, customer_scores, purchase_facts, customer_category_spend, interaction_facts, customer_needs',
  );
  const rows = <T>(pick: (c: Customer) => T[]) => customers.flatMap(pick);
  await dataSource.query(
    `INSERT INTO customers (customer_id, registered, relationship_started_at, manual_tags)
     SELECT id, r, s, ARRAY(SELECT jsonb_array_elements_text(t::jsonb))
       FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[], $4::text[]) AS rows(id, r, s, t)`,
    [
      customers.map((c) => c.id),
      customers.map((c) => c.registered),
      customers.map((c) => (c.startedAt === null ? null : new Date(c.startedAt))),
      customers.map((c) => JSON.stringify(c.manualTags)),
    ],
  );
  const purchases = rows((c) => c.purchases.map((p, i) => ({ ...p, id: c.id, order: `${c.id}-${i}` })));
  await dataSource.query(
    `INSERT INTO purchase_facts (order_id, customer_id, amount, refunded, occurred_at, category_amounts, event_id)
     SELECT o, id, a / 100.0, r / 100.0, at, '{}', o
       FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::bigint[], $5::timestamptz[]) AS rows(o, id, a, r, at)`,
    [
      purchases.map((p) => p.order),
      purchases.map((p) => p.id),
      purchases.map((p) => p.cents),
      purchases.map((p) => p.refundedCents),
      purchases.map((p) => new Date(p.at)),
    ],
  );
  const spend = rows((c) => c.categories.map((k) => ({ ...k, id: c.id })));
  await dataSource.query(
    `INSERT INTO customer_category_spend (customer_id, category, spend)
     SELECT id, k, s / 100.0 FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS rows(id, k, s)`,
    [spend.map((k) => k.id), spend.map((k) => k.category), spend.map((k) => k.cents)],
  );
  const interactions = rows((c) => c.interactions.map((at) => ({ at, id: c.id })));
  await dataSource.query(
    `INSERT INTO interaction_facts (interaction_id, customer_id, occurred_at, channel, direction)
     SELECT gen_random_uuid(), id, at, 'phone', 'inbound' FROM unnest($1::uuid[], $2::timestamptz[]) AS rows(id, at)`,
    [interactions.map((i) => i.id), interactions.map((i) => new Date(i.at))],
  );
  const needs = rows((c) => c.needs.map((n) => ({ ...n, id: c.id })));
  await dataSource.query(
    `INSERT INTO customer_needs (need_id, customer_id, type, status, changed_at)
     SELECT gen_random_uuid(), id, t, s, now() FROM unnest($1::uuid[], $2::text[], $3::text[]) AS rows(id, t, s)`,
    [needs.map((n) => n.id), needs.map((n) => n.type), needs.map((n) => n.status)],
  );
  const scored = customers.filter((c) => c.scored).map((c) => c.id);
  await dataSource.query(
    `INSERT INTO customer_scores (customer_id, recency, frequency, monetary, value_tier, value_loyalty_segment,
                                  membership_level, lifecycle_stage, tags, spend_12m, purchases_12m, lifetime_purchases,
                                  rules_version, scored_at)
     SELECT id, 3, 2, 1, 'B', 'maintain', 'silver', 'growth', '{"freq:low","a,b"}', 0, 0, 0, 'rules-earlier', now()
       FROM unnest($1::uuid[]) AS rows(id)`,
    [scored],
  );
}

describe('the facts a customer is scored on', () => {
  it('are what the rules define, for any history, a batch or one customer at a time', async () => {
    const windowDays = rescoring.book.current.churn.interactionWindowDays;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(customer, { selector: (c) => c.id, minLength: 1, maxLength: 8 }),
        async (customers) => {
          await store(customers);
          const ids = customers.map((c) => c.id);
          const batch = await rescoring.evaluate(dataSource.manager, ids, AS_OF);
          const single = (
            await Promise.all(ids.map((id) => rescoring.evaluate(dataSource.manager, [id], AS_OF)))
          ).flat();
          for (const evaluations of [batch, single]) {
            const got = [...evaluations]
              .sort((a, b) => byId(a.customerId, b.customerId))
              .map((e) => ({
                relationshipStartedAt: e.facts.relationshipStartedAt?.getTime() ?? null,
                manualTags: e.facts.manualTags,
                spend12mCents: Math.round(e.facts.spend12m * 100),
                purchases12m: e.facts.purchases12m,
                lifetimePurchases: e.facts.lifetimePurchases,
                lastPurchaseAt: e.facts.lastPurchaseAt?.getTime() ?? null,
                firstPurchaseAt: e.facts.firstPurchaseAt?.getTime() ?? null,
                categorySpend: e.facts.categorySpend,
                interactionsRecent: e.facts.interactionsRecent,
                interactionsBefore: e.facts.interactionsBefore,
                needTypes: e.facts.needTypes,
                scored: e.previous !== undefined && e.scoredBy === 'rules-earlier',
                edges: e.edges,
              }));
            const want = [...customers].sort((a, b) => byId(a.id, b.id)).map((c) => expected(c, windowDays));
            expect(got).toEqual(want);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
