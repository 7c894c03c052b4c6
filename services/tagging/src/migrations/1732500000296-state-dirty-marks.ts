import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The trigger function behind every watched table: `insert` writes the marks of the changed customers. */
function markFunction(insert: string): string {
  return `
    CREATE OR REPLACE FUNCTION mark_state_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${insert};
      IF FOUND THEN
        PERFORM pg_notify('crm_customer_state', current_schema());
      END IF;
      RETURN NULL;
    END $$`;
}

/**
 * Customer state marks become append-only. Before, a customer had at most one mark
 * (`state_dirty`, ON CONFLICT DO NOTHING): a change made while the customer was already marked relied on
 * the existing mark, and the state worker could take that mark and read the customer before the change
 * committed, so the change was never published (the topic kept the older state for good). Now every
 * change adds its own mark, invisible until the change commits, so the worker always has a mark left to
 * read the committed change by. Marks still waiting in the old table are carried over; the old table stays
 * (empty) for replicas of the previous version during a rolling upgrade.
 */
export class StateDirtyMarks1732500000296 implements MigrationInterface {
  name = 'StateDirtyMarks1732500000296';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE TABLE state_dirty_marks (id bigserial PRIMARY KEY, customer_id uuid NOT NULL)',
    );
    await runner.query(
      markFunction('INSERT INTO state_dirty_marks (customer_id) SELECT DISTINCT customer_id FROM changed'),
    );
    await runner.query(
      'WITH moved AS (DELETE FROM state_dirty RETURNING customer_id) INSERT INTO state_dirty_marks (customer_id) SELECT customer_id FROM moved',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      markFunction(
        'INSERT INTO state_dirty (customer_id) SELECT DISTINCT customer_id FROM changed ON CONFLICT DO NOTHING',
      ),
    );
    await runner.query(
      'INSERT INTO state_dirty (customer_id) SELECT DISTINCT customer_id FROM state_dirty_marks ON CONFLICT DO NOTHING',
    );
    await runner.query('DROP TABLE state_dirty_marks');
  }
}
