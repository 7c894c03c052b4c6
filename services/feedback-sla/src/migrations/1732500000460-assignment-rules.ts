import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Automatic assignment rules as data: what a new ticket must be, and the pool of owners it goes to by load. */
export class AssignmentRules1732500000460 implements MigrationInterface {
  name = 'AssignmentRules1732500000460';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE assignment_rules (
        id text PRIMARY KEY,
        position int NOT NULL,
        ticket_type text,
        customer_tier text,
        priority text,
        owners text[] NOT NULL CHECK (cardinality(owners) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE assignment_rules');
  }
}
