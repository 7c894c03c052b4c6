import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fraud checks on referral velocity: a referral attributed while its referrer brought too many referees in a
 * short time, or whose referee shares a contact hash with another recent referee, is held: it still
 * qualifies, but its rewards wait for a review (released or rejected by an admin).
 */
export class ReferralHolds1732500000530 implements MigrationInterface {
  name = 'ReferralHolds1732500000530';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE referrals ADD COLUMN held_reason text,
      ADD COLUMN review text CHECK (review IN ('released', 'rejected')), ADD COLUMN reviewed_by text, ADD COLUMN reviewed_at timestamptz`);
    await runner.query('CREATE INDEX referrals_attributed_idx ON referrals (referrer_id, attributed_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX referrals_attributed_idx');
    await runner.query(
      'ALTER TABLE referrals DROP COLUMN held_reason, DROP COLUMN review, DROP COLUMN reviewed_by, DROP COLUMN reviewed_at',
    );
  }
}
