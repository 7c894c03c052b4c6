import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InteractionTables1732500000300 implements MigrationInterface {
  name = 'InteractionTables1732500000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE interactions (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        channel text NOT NULL,
        direction text NOT NULL,
        topic text NOT NULL,
        participants text[] NOT NULL DEFAULT '{}',
        customer_feedback text,
        follow_up_action text,
        follow_up_due_at timestamptz,
        owner text,
        status text NOT NULL CHECK (status IN ('done', 'in-progress', 'pending')),
        automated boolean NOT NULL DEFAULT false,
        care_action_id uuid UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX interactions_timeline_idx ON interactions (customer_id, occurred_at DESC, id DESC)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE interactions');
  }
}
