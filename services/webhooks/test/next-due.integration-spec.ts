import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { rowsRead, testSchema, type TestSchema } from '@crm/testing';
import { NEXT_DELIVERY_DUE_SQL } from '../src/deliveries/dispatcher';
import { WEBHOOK_MIGRATIONS } from '../src/migrations';

/**
 * When the webhook dispatcher next has work (real Postgres, the service's migrations): for any deliveries
 * (any status, retry time, lease, subscription state) the answer is the one aggregate over every pending
 * delivery it replaces; and with a subscriber's backlog of thousands waiting for their retries it reads a
 * handful of rows, not the backlog.
 */
const EVERY_PENDING_DELIVERY = `
  SELECT min(greatest(d.next_attempt_at, coalesce(d.lease_expires_at, d.next_attempt_at))) AS at
    FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
   WHERE d.status = 'pending' AND s.status = 'active'`;

const subscriptions = { active: randomUUID(), paused: randomUUID() };
let tables: TestSchema;
let dataSource: DataSource;

beforeAll(async () => {
  tables = await testSchema('webhooks_next_due', WEBHOOK_MIGRATIONS);
  dataSource = tables.dataSource;
  for (const [status, id] of Object.entries(subscriptions))
    await dataSource.query(
      `INSERT INTO subscriptions (id, name, url, event_types, status, created_by)
       VALUES ($1, $2, 'https://example.test/hook', '{crm.purchase.recorded.v1}', $2, 'spec')`,
      [id, status],
    );
});

afterAll(() => tables.drop());

interface Delivery {
  subscription: keyof typeof subscriptions;
  status: 'pending' | 'delivered' | 'cancelled';
  /** Minutes from now. */
  next: number;
  lease: number | null;
}

async function insert(deliveries: Delivery[]): Promise<void> {
  await dataSource.query(
    `INSERT INTO deliveries (id, subscription_id, event_id, subject, kind, status, next_attempt_at, lease_expires_at)
     SELECT gen_random_uuid(), sub, gen_random_uuid()::text, 'spec', 'replay', s,
            now() + make_interval(mins => n), now() + make_interval(mins => l)
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[]) AS t(sub, s, n, l)`,
    [
      deliveries.map((d) => subscriptions[d.subscription]),
      deliveries.map((d) => d.status),
      deliveries.map((d) => d.next),
      deliveries.map((d) => d.lease),
    ],
  );
}

/** Both answers in one transaction, so `now()` is one instant for both. */
async function answers(): Promise<{ before: Date | null; now: Date | null }> {
  return dataSource.transaction(async (manager) => {
    const [old] = (await manager.query(EVERY_PENDING_DELIVERY)) as { at: Date | null }[];
    const [current] = (await manager.query(NEXT_DELIVERY_DUE_SQL)) as { at: Date | null }[];
    return { before: old.at, now: current.at };
  });
}

const delivery: fc.Arbitrary<Delivery> = fc.record({
  subscription: fc.constantFrom('active', 'active', 'paused'),
  status: fc.constantFrom('pending', 'pending', 'delivered', 'cancelled'),
  next: fc.integer({ min: -600, max: 600 }),
  lease: fc.option(fc.integer({ min: -30, max: 30 }), { nil: null, freq: 2 }),
});

describe('the webhook dispatcher’s next due time', () => {
  it('is the earliest of every pending delivery’s retry time and lease end, for any deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(delivery, { maxLength: 12 }), async (deliveries) => {
        await dataSource.query('TRUNCATE delivery_attempts, deliveries');
        await insert(deliveries);
        const { before, now } = await answers();
        expect(now?.getTime() ?? null).toBe(before?.getTime() ?? null);
      }),
      { numRuns: 60 },
    );
  });

  it('reads a handful of rows however long a subscriber’s backlog', async () => {
    await dataSource.query('TRUNCATE delivery_attempts, deliveries');
    const backlog = Array.from({ length: 5000 }, (_, i): Delivery => ({
      subscription: 'active',
      status: 'pending',
      next: 30 + (i % 300),
      lease: null,
    }));
    await insert([...backlog, { subscription: 'active', status: 'pending', next: -1, lease: 4 }]);
    await dataSource.query('ANALYZE deliveries');
    const { before, now } = await answers();
    expect(now!.getTime()).toBe(before!.getTime());
    expect(await rowsRead(dataSource, NEXT_DELIVERY_DUE_SQL, 'deliveries')).toBeLessThanOrEqual(10);
  });
});
