import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Playbooks are data: a trigger mapped to a care action. The defaults: docs/domain-rules.md, "Care actions". */
export class GrowthCampaignTables1732500000600 implements MigrationInterface {
  name = 'GrowthCampaignTables1732500000600';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE playbooks (
        id text PRIMARY KEY,
        trigger text NOT NULL,
        action text NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('service', 'marketing')),
        channel text NOT NULL,
        contact_due_hours int,
        enabled boolean NOT NULL DEFAULT true,
        description text NOT NULL
      )`);
    await runner.query(`
      INSERT INTO playbooks (id, trigger, action, purpose, channel, contact_due_hours, description) VALUES
        ('onboarding', 'first-purchase', 'onboarding-path', 'service', 'email', NULL, 'New customer: onboarding path after the first purchase'),
        ('tier-welcome', 'tier-upgraded', 'welcome-to-tier', 'service', 'email', NULL, 'Tier upgrade: welcome to the new tier and its privileges'),
        ('exclusive-advisor', 'tier-entered:high-value', 'assign-exclusive-advisor', 'service', 'phone', 48, 'Became high-value: an exclusive advisor is assigned'),
        ('win-back-decline', 'stage-entered:decline', 'win-back-offer', 'marketing', 'phone', 24, 'Declining customer: win-back offer and needs survey, contact within 24 h'),
        ('win-back-churn-warning', 'segment-entered:churn-warning', 'win-back-offer', 'marketing', 'email', 24, 'Churn warning: recall benefits, contact within 24 h')`);
    await runner.query(`
      CREATE TABLE consents (
        customer_id uuid NOT NULL,
        channel text NOT NULL,
        purpose text NOT NULL,
        granted boolean NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, channel, purpose)
      )`);
    await runner.query(`
      CREATE TABLE service_moments (
        customer_id uuid NOT NULL,
        ticket_id uuid PRIMARY KEY,
        until timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE care_actions (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        playbook_id text NOT NULL,
        action text NOT NULL,
        purpose text NOT NULL,
        channel text NOT NULL,
        status text NOT NULL CHECK (status IN ('triggered', 'delivered', 'suppressed', 'failed')),
        reason text,
        idempotency_key text NOT NULL UNIQUE,
        trigger_event_id text NOT NULL,
        contact_due_at timestamptz,
        delivery_attempts int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    await runner.query(
      'CREATE INDEX care_actions_customer_idx ON care_actions (customer_id, created_at DESC)',
    );
    await runner.query(
      `CREATE INDEX care_actions_pending_idx ON care_actions (created_at) WHERE status = 'triggered'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['care_actions', 'service_moments', 'consents', 'playbooks'])
      await runner.query(`DROP TABLE ${table}`);
  }
}
