import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import {
  CustomerErased,
  CustomerState,
  PurchaseRecorded,
  type CustomerStateV1,
  type ValueTier,
  type EventEnvelope,
} from '@crm/contracts';
import { testSchema, type TestSchema } from '@crm/testing';
import { FanOut } from '../src/deliveries/fan-out';
import { WebhookTables1732500000700 } from '../src/migrations/1732500000700-webhook-tables';

/**
 * Fanning out a run of events at once (what the webhooks consumer does with a partition's records) has the
 * effects of fanning them out one by one, in order, against real Postgres: the same events kept, the same
 * deliveries in the same order (their sequence is the dispatch order per subscription and customer), the
 * same customer memberships, for generated runs that mix state changes, erasures, repeats and plain events.
 */
const customers = ['c1', 'c2', 'c3'].map((_, i) => `00000000-0000-4000-8000-00000000000${i + 1}`);
const subscriptions = [
  { types: [PurchaseRecorded.type], filter: null },
  { types: [PurchaseRecorded.type, CustomerState.type], filter: 'tier:high-value' },
  { types: [CustomerState.type, CustomerErased.type], filter: null },
  { types: [PurchaseRecorded.type, CustomerErased.type], filter: 'tag:active' },
].map((s) => ({ ...s, id: randomUUID() }));

const runs: TestSchema[] = [];
const fanOut = new FanOut();

async function schema(): Promise<DataSource> {
  const tables = await testSchema('webhooks_fan_out', [WebhookTables1732500000700]);
  runs.push(tables);
  for (const s of subscriptions)
    await tables.dataSource.query(
      `INSERT INTO subscriptions (id, name, url, event_types, segment_filter, status, created_by)
       VALUES ($1, 'spec', 'https://example.test/hook', $2, $3, 'active', 'spec')`,
      [s.id, s.types, s.filter],
    );
  return tables.dataSource;
}

async function clear(dataSource: DataSource): Promise<void> {
  await dataSource.query('TRUNCATE delivery_attempts, deliveries, events, customer_state');
}

function envelope(type: string, subject: string, data: unknown, id = randomUUID()): EventEnvelope {
  return {
    id,
    type,
    source: '/crm/spec',
    time: new Date().toISOString(),
    subject,
    correlationId: id,
    data,
  };
}

const customer = fc.constantFrom(...customers);
const event = fc.oneof(
  fc
    .record({ customer, amount: fc.integer({ min: 1, max: 1000 }) })
    .map(({ customer: c, amount }) =>
      envelope(PurchaseRecorded.type, c, { ...PurchaseRecorded.fixture, customerId: c, amount }),
    ),
  fc
    .record({
      customer,
      revision: fc.integer({ min: 1, max: 6 }),
      tier: fc.constantFrom<ValueTier | undefined>('high-value', 'potential', undefined),
      active: fc.boolean(),
    })
    .map(({ customer: c, revision, tier, active }) => {
      const state: CustomerStateV1 = {
        ...CustomerState.fixture,
        customerId: c,
        revision,
        valueTier: tier,
        tags: active ? ['active'] : [],
      };
      return envelope(CustomerState.type, c, state);
    }),
  customer.map((c) => envelope(CustomerErased.type, c, { ...CustomerErased.fixture, customerId: c })),
);
/** A run of events where an event may come twice (a redelivery the inbox did not catch within the run). */
const run = fc
  .array(fc.tuple(event, fc.boolean()), { minLength: 1, maxLength: 25 })
  .map((pairs) => pairs.flatMap(([e, twice]) => (twice ? [e, e] : [e])));

async function outcome(dataSource: DataSource) {
  const [deliveries, events, states] = await Promise.all([
    dataSource.query(
      `SELECT subscription_id, event_id, subject, kind, status FROM deliveries ORDER BY seq`,
    ) as Promise<unknown[]>,
    dataSource.query(
      `SELECT event_id, event_type, subject, occurred_at, source, correlation_id, payload FROM events ORDER BY event_id`,
    ) as Promise<unknown[]>,
    dataSource.query(
      `SELECT customer_id, revision, memberships FROM customer_state ORDER BY customer_id`,
    ) as Promise<unknown[]>,
  ]);
  return { deliveries, events, states };
}

afterAll(async () => {
  for (const tables of runs) await tables.drop();
});

describe('webhook fan-out of a run of events', () => {
  it('has the effects of fanning the events out one by one, in order', async () => {
    const together = await schema();
    const oneByOne = await schema();
    let deliveriesSeen = 0;
    await fc.assert(
      fc.asyncProperty(run, async (events) => {
        await clear(together);
        await clear(oneByOne);
        const created = await together.transaction((manager) => fanOut.accept(manager, events));
        let createdSingly = 0;
        for (const e of events)
          createdSingly += await oneByOne.transaction((manager) => fanOut.accept(manager, [e]));
        expect(created).toBe(createdSingly);
        const [a, b] = await Promise.all([outcome(together), outcome(oneByOne)]);
        expect(a).toEqual(b);
        // Every distinct event is kept once, however often it came.
        expect(a.events).toHaveLength(new Set(events.map((e) => e.id)).size);
        deliveriesSeen += a.deliveries.length;
      }),
      { numRuns: 60 },
    );
    // The generated runs did reach subscriptions (filters matched some of the time).
    expect(deliveriesSeen).toBeGreaterThan(0);
  });
});
