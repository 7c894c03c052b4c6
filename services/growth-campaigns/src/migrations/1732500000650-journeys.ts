import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Journeys as versioned data, per-customer runs with their durable timers (`wake_at`), each run's path,
 * the customer attributes journeys branch on (from the compacted state topic), and the clock offset tests
 * move time with (JOURNEY_CLOCK_CONTROL, never in production).
 */
export class Journeys1732500000650 implements MigrationInterface {
  name = 'Journeys1732500000650';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE journeys (
        id text NOT NULL,
        version int NOT NULL,
        definition jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, version)
      )`);
    await runner.query(`
      CREATE TABLE journey_heads (
        id text PRIMARY KEY,
        current_version int NOT NULL,
        deleted_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE journey_runs (
        id uuid PRIMARY KEY,
        journey_id text NOT NULL,
        version int NOT NULL,
        customer_id uuid NOT NULL,
        variant text NOT NULL,
        holdout boolean NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'completed', 'exited')),
        step text NOT NULL,
        steps int NOT NULL,
        wake_at timestamptz,
        entry_event_id text NOT NULL,
        entered_at timestamptz NOT NULL,
        finished_at timestamptz,
        exit_reason text,
        goal_until timestamptz,
        converted_at timestamptz
      )`);
    await runner.query(
      "CREATE UNIQUE INDEX journey_runs_one_active ON journey_runs (journey_id, customer_id) WHERE status = 'active'",
    );
    await runner.query(
      'CREATE UNIQUE INDEX journey_runs_entry_once ON journey_runs (journey_id, entry_event_id)',
    );
    await runner.query("CREATE INDEX journey_runs_due_idx ON journey_runs (wake_at) WHERE status = 'active'");
    await runner.query('CREATE INDEX journey_runs_customer_idx ON journey_runs (customer_id)');
    await runner.query('CREATE INDEX journey_runs_report_idx ON journey_runs (journey_id, entered_at)');
    await runner.query(`
      CREATE TABLE journey_run_log (
        run_id uuid NOT NULL REFERENCES journey_runs(id) ON DELETE CASCADE,
        seq int NOT NULL,
        at timestamptz NOT NULL,
        input text NOT NULL,
        path text[] NOT NULL,
        touches jsonb NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`);
    await runner.query(`
      CREATE TABLE customer_attributes (
        customer_id uuid PRIMARY KEY,
        revision int NOT NULL,
        value_tier text,
        value_loyalty_segment text,
        membership_level text,
        lifecycle_stage text
      )`);
    await runner.query(`
      CREATE TABLE journey_clock (
        id int PRIMARY KEY CHECK (id = 1),
        offset_ms bigint NOT NULL
      )`);
    await runner.query('INSERT INTO journey_clock (id, offset_ms) VALUES (1, 0)');
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'journey_clock',
      'customer_attributes',
      'journey_run_log',
      'journey_runs',
      'journey_heads',
      'journeys',
    ])
      await runner.query(`DROP TABLE ${table}`);
  }
}
