import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery by lease: a dispatcher claims a touch for a while (`lease_expires_at`), calls the channel outside
 * any transaction, then records the outcome; a failed call is retried at `next_attempt_at` with backoff.
 */
export class CareDeliveryLeases1732500000640 implements MigrationInterface {
  name = 'CareDeliveryLeases1732500000640';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE care_actions
      ADD COLUMN next_attempt_at timestamptz,
      ADD COLUMN lease_owner text,
      ADD COLUMN lease_expires_at timestamptz,
      ADD COLUMN last_error text`);
    await runner.query(`UPDATE care_actions SET next_attempt_at = created_at WHERE status = 'triggered'`);
    await runner.query('DROP INDEX care_actions_pending_idx');
    await runner.query(
      `CREATE INDEX care_actions_due_idx ON care_actions (next_attempt_at) WHERE status = 'triggered'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX care_actions_due_idx');
    await runner.query(
      `CREATE INDEX care_actions_pending_idx ON care_actions (created_at) WHERE status = 'triggered'`,
    );
    await runner.query(`ALTER TABLE care_actions DROP COLUMN next_attempt_at, DROP COLUMN lease_owner,
      DROP COLUMN lease_expires_at, DROP COLUMN last_error`);
  }
}
