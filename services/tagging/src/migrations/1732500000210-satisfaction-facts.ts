import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Survey answers as facts about a customer (for "NPS at most 6 in the last 30 days" and the like). */
export class SatisfactionFacts1732500000210 implements MigrationInterface {
  name = 'SatisfactionFacts1732500000210';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE satisfaction_facts (
        survey_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        kind text NOT NULL,
        score int NOT NULL,
        sentiment text NOT NULL,
        answered_at timestamptz NOT NULL,
        event_id uuid NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX satisfaction_facts_customer_idx ON satisfaction_facts (customer_id, kind, answered_at DESC)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE satisfaction_facts');
  }
}
