import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the KPIs are computed from besides purchases, answers, stages and contacts: tickets (first response,
 * resolution), referrals (success, referred customers' retention), how customers were acquired (channel
 * ROI); and the goals the handbook tracks (metric, segment, baseline, target, owner, review date, gap note).
 */
export class KpiFactsGoals1732500000280 implements MigrationInterface {
  name = 'KpiFactsGoals1732500000280';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE customers ADD COLUMN acquisition_channel text, ADD COLUMN acquisition_cost numeric(16,2)',
    );
    await runner.query(`
      CREATE TABLE ticket_facts (
        ticket_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        ticket_type text NOT NULL,
        opened_at timestamptz NOT NULL,
        first_responded_at timestamptz,
        resolved_at timestamptz,
        first_response_breached boolean,
        resolution_breached boolean
      )`);
    await runner.query('CREATE INDEX ticket_facts_customer_idx ON ticket_facts (customer_id, opened_at)');
    await runner.query(`
      CREATE TABLE referral_facts (
        referral_id uuid PRIMARY KEY,
        referee_id uuid NOT NULL,
        referrer_id uuid NOT NULL,
        attributed_at timestamptz NOT NULL,
        qualified_at timestamptz
      )`);
    await runner.query(
      'CREATE INDEX referral_facts_referrer_idx ON referral_facts (referrer_id, attributed_at)',
    );
    await runner.query('CREATE INDEX referral_facts_referee_idx ON referral_facts (referee_id)');
    await runner.query(`
      CREATE TABLE kpi_goals (
        id text PRIMARY KEY,
        name text NOT NULL,
        metric text NOT NULL,
        segment text NOT NULL,
        baseline float8 NOT NULL,
        target float8 NOT NULL,
        owner text NOT NULL,
        review_on date NOT NULL,
        gap_note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE kpi_goals');
    await runner.query('DROP TABLE referral_facts');
    await runner.query('DROP TABLE ticket_facts');
    await runner.query('ALTER TABLE customers DROP COLUMN acquisition_channel, DROP COLUMN acquisition_cost');
  }
}
