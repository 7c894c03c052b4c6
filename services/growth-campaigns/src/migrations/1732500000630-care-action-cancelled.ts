import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A touch not yet delivered when its customer is erased is cancelled, never sent. */
export class CareActionCancelled1732500000630 implements MigrationInterface {
  name = 'CareActionCancelled1732500000630';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE care_actions DROP CONSTRAINT care_actions_status_check');
    await runner.query(
      `ALTER TABLE care_actions ADD CONSTRAINT care_actions_status_check
         CHECK (status IN ('triggered', 'delivered', 'suppressed', 'failed', 'cancelled'))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`UPDATE care_actions SET status = 'failed' WHERE status = 'cancelled'`);
    await runner.query('ALTER TABLE care_actions DROP CONSTRAINT care_actions_status_check');
    await runner.query(
      `ALTER TABLE care_actions ADD CONSTRAINT care_actions_status_check
         CHECK (status IN ('triggered', 'delivered', 'suppressed', 'failed'))`,
    );
  }
}
