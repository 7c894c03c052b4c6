import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first purchase (for predictions), the durable sweep (runs and its daily schedule), dynamic and static segments with
 * their members and provenance, and a customer's category exclusions.
 */
export class SweepsSegmentsPredictions1732500000220 implements MigrationInterface {
  name = 'SweepsSegmentsPredictions1732500000220';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE customer_scores ADD COLUMN first_purchase_at timestamptz`);
    await runner.query(`
      CREATE TABLE sweep_runs (
        id uuid PRIMARY KEY,
        as_of timestamptz NOT NULL,
        trigger text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        customers int NOT NULL DEFAULT 0,
        changed int NOT NULL DEFAULT 0,
        segment_entries int NOT NULL DEFAULT 0,
        segment_exits int NOT NULL DEFAULT 0,
        error text
      )`);
    // scheduled_jobs itself belongs to @crm/persistence (ScheduledJobsTable1732500000001).
    await runner.query(
      `INSERT INTO scheduled_jobs (name, next_run_at) VALUES ('daily-sweep', date_trunc('day', now()) + interval '1 day 2 hours')`,
    );
    await runner.query(`
      CREATE TABLE segments (
        id text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('dynamic', 'static')),
        expression text,
        description text NOT NULL DEFAULT '',
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'dynamic') = (expression IS NOT NULL))
      )`);
    await runner.query(`
      CREATE TABLE static_segment_lists (
        segment_id text NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL,
        PRIMARY KEY (segment_id, customer_id)
      )`);
    await runner.query(`
      CREATE TABLE segment_members (
        segment_id text NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL,
        entered_at timestamptz NOT NULL,
        caused_by_event_id text,
        sweep_run_id text,
        PRIMARY KEY (segment_id, customer_id)
      )`);
    await runner.query('CREATE INDEX segment_members_customer_idx ON segment_members (customer_id)');
    await runner.query(`
      CREATE TABLE segment_changes (
        id bigserial PRIMARY KEY,
        segment_id text NOT NULL,
        customer_id uuid NOT NULL,
        change text NOT NULL CHECK (change IN ('entered', 'exited')),
        caused_by_event_id text,
        sweep_run_id text,
        changed_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX segment_changes_customer_idx ON segment_changes (customer_id, id)');
    await runner.query('CREATE INDEX purchase_facts_occurred_idx ON purchase_facts (occurred_at)');
    // Covering: a customer's facts come from the index alone (index-only scans once vacuumed).
    await runner.query(
      'CREATE INDEX purchase_facts_customer_cover_idx ON purchase_facts (customer_id, occurred_at) INCLUDE (amount)',
    );
    await runner.query('DROP INDEX purchase_facts_customer_idx');
    // Spend per category, kept as purchases arrive, so that preferred-category tags need no scan of the facts.
    await runner.query(`
      CREATE TABLE customer_category_spend (
        customer_id uuid NOT NULL,
        category text NOT NULL,
        spend numeric(18,2) NOT NULL,
        PRIMARY KEY (customer_id, category) INCLUDE (spend)
      )`);
    await runner.query(`
      INSERT INTO customer_category_spend (customer_id, category, spend)
      SELECT f.customer_id, e.key, sum(e.value::numeric) FROM purchase_facts f, jsonb_each_text(f.category_amounts) e
       GROUP BY f.customer_id, e.key`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE INDEX purchase_facts_customer_idx ON purchase_facts (customer_id, occurred_at)',
    );
    await runner.query('DROP INDEX purchase_facts_customer_cover_idx');
    await runner.query('DROP INDEX purchase_facts_occurred_idx');
    await runner.query(`DELETE FROM scheduled_jobs WHERE name = 'daily-sweep'`);
    for (const table of [
      'customer_category_spend',
      'segment_changes',
      'segment_members',
      'static_segment_lists',
      'segments',
      'sweep_runs',
    ])
      await runner.query(`DROP TABLE ${table}`);
    await runner.query('ALTER TABLE customer_scores DROP COLUMN first_purchase_at');
  }
}
