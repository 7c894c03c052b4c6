import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The maintenance calendar (handbook §4) as data, a cadence timer per customer reset by every logged
 * interaction, customer owners, and the owners' task queue.
 */
export class Cadences1732500000660 implements MigrationInterface {
  name = 'Cadences1732500000660';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE cadences (
        key text PRIMARY KEY,
        precedence int NOT NULL,
        interval_days int NOT NULL CHECK (interval_days BETWEEN 1 AND 366),
        description text NOT NULL
      )`);
    // First match wins: a core customer is on the core cadence even if also high-value.
    await runner.query(`
      INSERT INTO cadences (key, precedence, interval_days, description) VALUES
        ('value-loyalty:core', 1, 15, 'Core: at least 2 touches a month'),
        ('tier:high-value', 2, 30, 'High-value: a monthly in-depth contact'),
        ('value-loyalty:potential', 3, 30, 'Potential: 1-2 touches a month'),
        ('tier:potential', 4, 30, 'Potential tier: 1-2 touches a month'),
        ('tier:stable', 5, 90, 'Stable: a quarterly satisfaction call'),
        ('tier:silent', 6, 90, 'Silent: one touch a quarter')`);
    await runner.query(`
      CREATE TABLE customer_owners (
        customer_id uuid PRIMARY KEY,
        owner text NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE cadence_timers (
        customer_id uuid PRIMARY KEY,
        cadence_key text,
        interval_days int,
        last_contact_at timestamptz NOT NULL,
        due_at timestamptz
      )`);
    await runner.query(
      'CREATE INDEX cadence_timers_due_idx ON cadence_timers (due_at) WHERE due_at IS NOT NULL',
    );
    await runner.query(`
      CREATE TABLE owner_tasks (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        owner text,
        kind text NOT NULL,
        detail text NOT NULL,
        due_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
        UNIQUE (customer_id, kind, due_at)
      )`);
    await runner.query(
      "CREATE INDEX owner_tasks_queue_idx ON owner_tasks (owner, due_at) WHERE status = 'open'",
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['owner_tasks', 'cadence_timers', 'customer_owners', 'cadences'])
      await runner.query(`DROP TABLE ${table}`);
  }
}
