import type { MigrationInterface, QueryRunner } from 'typeorm';

/** tagging's read model (customers, purchase facts) and what it derives (scores, stage history). */
export class TaggingTables1732500000200 implements MigrationInterface {
  name = 'TaggingTables1732500000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE customers (
        customer_id uuid PRIMARY KEY,
        registered boolean NOT NULL DEFAULT false,
        relationship_started_at timestamptz,
        industry text,
        manual_tags text[] NOT NULL DEFAULT '{}',
        excluded_categories text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE purchase_facts (
        order_id text PRIMARY KEY,
        customer_id uuid NOT NULL,
        amount numeric(16,2) NOT NULL,
        occurred_at timestamptz NOT NULL,
        category_amounts jsonb NOT NULL,
        event_id text NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX purchase_facts_customer_idx ON purchase_facts (customer_id, occurred_at)',
    );
    await runner.query(`
      CREATE TABLE customer_scores (
        customer_id uuid PRIMARY KEY,
        recency smallint NOT NULL,
        frequency smallint NOT NULL,
        monetary smallint NOT NULL,
        value_tier text NOT NULL,
        value_loyalty_segment text NOT NULL,
        membership_level text NOT NULL,
        lifecycle_stage text NOT NULL,
        tags text[] NOT NULL,
        spend_12m numeric(16,2) NOT NULL,
        purchases_12m int NOT NULL,
        lifetime_purchases int NOT NULL,
        last_purchase_at timestamptz,
        rules_version text NOT NULL,
        scored_at timestamptz NOT NULL,
        caused_by_event_id text,
        sweep_run_id text
      )`);
    await runner.query(`
      CREATE TABLE stage_history (
        id bigserial PRIMARY KEY,
        customer_id uuid NOT NULL,
        previous_stage text,
        stage text NOT NULL,
        reactivated boolean NOT NULL,
        caused_by_event_id text,
        sweep_run_id text,
        changed_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX stage_history_customer_idx ON stage_history (customer_id, id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE stage_history');
    await runner.query('DROP TABLE customer_scores');
    await runner.query('DROP TABLE purchase_facts');
    await runner.query('DROP TABLE customers');
  }
}
