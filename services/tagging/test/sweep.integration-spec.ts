import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { testSchema, type TestSchema } from '@crm/testing';
import { TAGGING_MIGRATIONS } from '../src/migrations';
import { standaloneSweep } from '../src/sweeps/standalone-sweep';
import type { SweepService } from '../src/sweeps/sweep.service';

/**
 * The sweep walks the id space in sixteen key ranges, a batch at a time, two workers at once: whatever the
 * ids and the batch size, every registered customer is scored exactly once and nobody else (against real
 * Postgres, the service's own migrations).
 */
let tables: TestSchema;
let dataSource: DataSource;
let sweep: SweepService;

beforeAll(async () => {
  tables = await testSchema('tagging_sweep', TAGGING_MIGRATIONS);
  dataSource = tables.dataSource;
  sweep = standaloneSweep({
    dataSource,
    schema: tables.schema,
    databaseUrl: process.env.DATABASE_URL!,
    segmentTimeoutMs: 10_000,
  });
});

afterAll(() => tables.drop());

/** Ids (version 4, as customer-profile makes them) on the ranges' edges, and any others. */
const edge = fc.constantFrom(
  '00000000-0000-4000-8000-000000000000',
  '0fffffff-ffff-4fff-bfff-ffffffffffff',
  '10000000-0000-4000-8000-000000000000',
  '7fffffff-ffff-4fff-bfff-ffffffffffff',
  '80000000-0000-4000-8000-000000000000',
  'f0000000-0000-4000-8000-000000000000',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
);
const customer = fc.record({ id: fc.oneof(edge, fc.uuid({ version: 4 })), registered: fc.boolean() });

describe('sweep', () => {
  it('scores every registered customer exactly once, for any ids and batch size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(customer, { selector: (c) => c.id.toLowerCase(), maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (customers, batchSize) => {
          await dataSource.query(
            'TRUNCATE customers, customer_scores, customer_reviews, stage_history, outbox, sweep_runs, purchase_facts',
          );
          await dataSource.query(
            `INSERT INTO customers (customer_id, registered, relationship_started_at)
             SELECT id, registered, '2024-01-01' FROM unnest($1::uuid[], $2::boolean[]) AS rows(id, registered)`,
            [customers.map((c) => c.id), customers.map((c) => c.registered)],
          );
          const registered = customers
            .filter((c) => c.registered)
            .map((c) => c.id.toLowerCase())
            .sort();
          const asOf = new Date('2026-01-01T00:00:00Z');
          const run = await sweep.run({ trigger: 'on-demand', asOf, batchSize, concurrency: 2 });
          expect(run.status).toBe('finished');
          expect(run.customers).toBe(registered.length);
          expect(run.changed).toBe(registered.length);
          const scored = (await dataSource.query(
            'SELECT customer_id FROM customer_scores ORDER BY customer_id',
          )) as { customer_id: string }[];
          expect(scored.map((r) => r.customer_id)).toEqual(registered);
          // The same date again: everyone is read, nothing changes.
          const again = await sweep.run({ trigger: 'on-demand', asOf, batchSize, concurrency: 2 });
          expect([again.customers, again.changed]).toEqual([registered.length, 0]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('stops every worker before it reports a failed batch', async () => {
    await dataSource.query(
      'TRUNCATE customers, customer_scores, customer_reviews, stage_history, outbox, sweep_runs, purchase_facts',
    );
    // 200 customers past the first range, and in the first range one whose id the events' contract rejects
    // (not a versioned UUID): the worker that takes the first range fails at once, the other has work left.
    await dataSource.query(
      `INSERT INTO customers (customer_id, registered, relationship_started_at)
       SELECT gen_random_uuid(), true, '2024-01-01'::timestamptz FROM generate_series(1, 200)
       UNION ALL SELECT '00000000-0000-0000-0000-000000000001', true, '2024-01-01'::timestamptz`,
    );
    await dataSource.query(`DELETE FROM customers WHERE customer_id < '10000000-0000-0000-0000-000000000000'
                              AND customer_id <> '00000000-0000-0000-0000-000000000001'`);
    const asOf = new Date('2026-01-01T00:00:00Z');
    await expect(sweep.run({ trigger: 'on-demand', asOf, batchSize: 1, concurrency: 2 })).rejects.toThrow(
      /customerId must be a UUID/,
    );
    const [run] = (await dataSource.query('SELECT status FROM sweep_runs')) as { status: string }[];
    expect(run.status).toBe('failed');
    const scored = async () =>
      Number(((await dataSource.query('SELECT count(*) AS n FROM customer_scores')) as { n: string }[])[0].n);
    const atFailure = await scored();
    expect(atFailure).toBeLessThan(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await scored()).toBe(atFailure);
  });

  it('reads purchases net of refunds from an index that covers them', async () => {
    const [index] = (await dataSource.query(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'purchase_facts'
          AND indexname = 'purchase_facts_customer_net_idx'`,
    )) as { indexdef: string }[];
    expect(index?.indexdef).toMatch(/\(customer_id, occurred_at\) INCLUDE \(amount, refunded\)/);
    const old = (await dataSource.query(
      `SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'purchase_facts_customer_cover_idx'`,
    )) as unknown[];
    expect(old).toHaveLength(0);
  });

  it('takes its batches of registered customers from an index of their ids alone', async () => {
    const [index] = (await dataSource.query(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'customers'
          AND indexname = 'customers_registered_idx'`,
    )) as { indexdef: string }[];
    expect(index?.indexdef).toMatch(/\(customer_id\) WHERE registered$/);
  });
});
