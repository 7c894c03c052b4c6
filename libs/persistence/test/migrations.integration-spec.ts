import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { initialiseServiceDataSource, serviceDataSourceOptions } from '../src';

/**
 * Replicas that start together on a new version run its migrations once, whatever the migrations do. A
 * migration that builds an index concurrently waits for every older snapshot in the database; a replica
 * waiting for the migrations must not hold one, or the two wait for each other (against real Postgres).
 */
class Facts1700000000000 implements MigrationInterface {
  name = 'Facts1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE facts (id int PRIMARY KEY, amount numeric NOT NULL)');
    await runner.query('INSERT INTO facts SELECT i, i FROM generate_series(1, 50000) AS i');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE facts');
  }
}

class FactsIndex1700000000001 implements MigrationInterface {
  name = 'FactsIndex1700000000001';
  transaction = false;
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX CONCURRENTLY facts_amount_idx ON facts (amount)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX CONCURRENTLY facts_amount_idx');
  }
}

const url = process.env.DATABASE_URL!;
const opened: DataSource[] = [];
let schema: string;

afterAll(async () => {
  await Promise.all(opened.map((d) => d.destroy()));
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe('migrations', () => {
  it('run once when three replicas start together, a concurrent index build among them', async () => {
    schema = `migrations_${randomUUID().slice(0, 8)}`;
    const replica = () =>
      initialiseServiceDataSource(
        serviceDataSourceOptions({
          url,
          schema,
          entities: [],
          migrations: [Facts1700000000000, FactsIndex1700000000001],
          poolSize: 2,
          timeouts: { statementMs: 60_000, lockMs: 15_000 },
        }),
      ).then((dataSource) => {
        opened.push(dataSource);
        return dataSource;
      });
    const replicas = await Promise.allSettled([replica(), replica(), replica()]);
    expect(replicas.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const [dataSource] = opened;
    const applied = (await dataSource.query('SELECT name FROM migrations ORDER BY id')) as { name: string }[];
    expect(applied.map((m) => m.name)).toEqual(['Facts1700000000000', 'FactsIndex1700000000001']);
    const [index] = (await dataSource.query(
      `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'facts_amount_idx'`,
      [schema],
    )) as { indisvalid: boolean }[];
    expect(index?.indisvalid).toBe(true);
  }, 60_000);
});
