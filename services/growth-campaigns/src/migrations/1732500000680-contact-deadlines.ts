import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contact deadlines (handbook §4-§5): an interaction's follow-up date and a care action's contact deadline
 * (a win-back call within 24 h). Met by any contact logged after `since`; when due and unmet, the owner gets
 * a task. Owner tasks gain the two kinds.
 */
export class ContactDeadlines1732500000680 implements MigrationInterface {
  name = 'ContactDeadlines1732500000680';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE contact_deadlines (
        id text PRIMARY KEY,
        customer_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('follow-up-overdue', 'contact-overdue')),
        owner text,
        detail text NOT NULL,
        since timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        met_at timestamptz,
        fired_at timestamptz
      )`);
    await runner.query(
      'CREATE INDEX contact_deadlines_due_idx ON contact_deadlines (due_at) WHERE met_at IS NULL AND fired_at IS NULL',
    );
    await runner.query(
      'CREATE INDEX contact_deadlines_open_idx ON contact_deadlines (customer_id) WHERE met_at IS NULL AND fired_at IS NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE contact_deadlines');
  }
}
