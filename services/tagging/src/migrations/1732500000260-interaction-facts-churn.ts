import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customer's own interactions as facts (falling interaction frequency counts toward churn risk), and
 * whether the risk is announced as high (so crossing the threshold is announced once each way).
 */
export class InteractionFactsChurn1732500000260 implements MigrationInterface {
  name = 'InteractionFactsChurn1732500000260';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE interaction_facts (
        interaction_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        channel text NOT NULL,
        direction text NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX interaction_facts_customer_idx ON interaction_facts (customer_id, occurred_at)',
    );
    await runner.query(
      'ALTER TABLE customer_scores ADD COLUMN churn_risk_high boolean NOT NULL DEFAULT false, ADD COLUMN churn_risk float8',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customer_scores DROP COLUMN churn_risk_high, DROP COLUMN churn_risk');
    await runner.query('DROP TABLE interaction_facts');
  }
}
