import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReferralTables1732500000500 implements MigrationInterface {
  name = 'ReferralTables1732500000500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE members (
        customer_id uuid PRIMARY KEY,
        code text NOT NULL UNIQUE,
        email_hash text,
        phone_hash text,
        segment text,
        first_purchase_order_id text,
        registered_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE referrals (
        id uuid PRIMARY KEY,
        referrer_id uuid NOT NULL,
        referee_id uuid NOT NULL UNIQUE,
        code text NOT NULL,
        status text NOT NULL CHECK (status IN ('attributed', 'qualified')),
        attributed_at timestamptz NOT NULL,
        qualified_at timestamptz,
        qualifying_order_id text
      )`);
    await runner.query('CREATE INDEX referrals_referrer_idx ON referrals (referrer_id)');
    await runner.query(`
      CREATE TABLE rejected_referrals (
        referee_id uuid PRIMARY KEY,
        code text NOT NULL,
        reason text NOT NULL,
        rejected_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE rewards (
        id uuid PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referrals(id),
        customer_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('referrer', 'referee')),
        points int NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        granted_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX rewards_customer_idx ON rewards (customer_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['rewards', 'rejected_referrals', 'referrals', 'members'])
      await runner.query(`DROP TABLE ${table}`);
  }
}
