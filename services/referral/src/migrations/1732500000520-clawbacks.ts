import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clawbacks: a referral whose qualifying order was fully refunded within the return window is clawed back,
 * and its rewards leave the points ledger as far as the points are still there; what was already spent is
 * the entry's shortfall (a record, never a negative balance).
 */
export class Clawbacks1732500000520 implements MigrationInterface {
  name = 'Clawbacks1732500000520';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE referrals DROP CONSTRAINT IF EXISTS referrals_status_check,
      ADD CONSTRAINT referrals_status_check CHECK (status IN ('attributed', 'qualified', 'clawed-back')),
      ADD COLUMN clawed_back_at timestamptz`);
    await runner.query(`ALTER TABLE points_entries DROP CONSTRAINT IF EXISTS points_entries_movement_check,
      ADD CONSTRAINT points_entries_movement_check CHECK (movement IN ('earned', 'redeemed', 'expired', 'clawed-back')),
      DROP CONSTRAINT IF EXISTS points_entries_points_check,
      ADD CONSTRAINT points_entries_points_check CHECK (points > 0 OR (movement = 'clawed-back' AND points = 0)),
      ADD COLUMN shortfall int CHECK (shortfall IS NULL OR shortfall >= 0)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM points_entries WHERE movement = 'clawed-back'`);
    await runner.query(`ALTER TABLE points_entries DROP COLUMN shortfall,
      DROP CONSTRAINT points_entries_points_check, ADD CONSTRAINT points_entries_points_check CHECK (points > 0),
      DROP CONSTRAINT points_entries_movement_check,
      ADD CONSTRAINT points_entries_movement_check CHECK (movement IN ('earned', 'redeemed', 'expired'))`);
    await runner.query(`UPDATE referrals SET status = 'qualified' WHERE status = 'clawed-back'`);
    await runner.query(`ALTER TABLE referrals DROP COLUMN clawed_back_at, DROP CONSTRAINT referrals_status_check,
      ADD CONSTRAINT referrals_status_check CHECK (status IN ('attributed', 'qualified'))`);
  }
}
