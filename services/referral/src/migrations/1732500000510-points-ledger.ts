import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Care points: earning rules as data, a ledger of movements (each once, by idempotency key) and a balance per
 * customer that never goes below zero. Earned points are lots with what is left of them, consumed oldest
 * expiry first by redemptions and expired by a durable timer on their `expires_at`.
 */
export class PointsLedger1732500000510 implements MigrationInterface {
  name = 'PointsLedger1732500000510';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE points_rules (
        source text PRIMARY KEY CHECK (source IN ('purchase', 'survey', 'referral', 'activity', 'journey')),
        description text NOT NULL,
        points int CHECK (points IS NULL OR points BETWEEN 0 AND 1000000),
        points_per_unit numeric(12, 4) CHECK (points_per_unit IS NULL OR points_per_unit BETWEEN 0 AND 1000),
        expires_after_days int CHECK (expires_after_days IS NULL OR expires_after_days BETWEEN 1 AND 3650),
        active boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'seed'
      )`);
    await runner.query(`
      INSERT INTO points_rules (source, description, points, points_per_unit, expires_after_days) VALUES
        ('purchase', 'points per unit of the amount paid, rounded down', NULL, 0.01, 365),
        ('survey', 'points for answering a satisfaction survey', 20, NULL, 365),
        ('referral', 'a referral reward (its points are the referral rules'')', NULL, NULL, 365),
        ('activity', 'taking part in an activity (staff may give another amount)', 50, NULL, 365),
        ('journey', 'a journey''s grant (its points are the journey''s)', NULL, NULL, 365)`);
    await runner.query(`
      CREATE TABLE points_balances (
        customer_id uuid PRIMARY KEY,
        balance int NOT NULL CHECK (balance >= 0),
        earned_total bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE points_entries (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        movement text NOT NULL CHECK (movement IN ('earned', 'redeemed', 'expired')),
        points int NOT NULL CHECK (points > 0),
        balance_after int NOT NULL CHECK (balance_after >= 0),
        source text,
        reason text,
        benefit text,
        idempotency_key text NOT NULL UNIQUE,
        expires_at timestamptz,
        remaining int CHECK (remaining IS NULL OR remaining >= 0),
        lot_id uuid REFERENCES points_entries(id),
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX points_entries_customer_idx ON points_entries (customer_id, occurred_at DESC)',
    );
    await runner.query(
      'CREATE INDEX points_lots_expiry_idx ON points_entries (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['points_entries', 'points_balances', 'points_rules'])
      await runner.query(`DROP TABLE ${table}`);
  }
}
