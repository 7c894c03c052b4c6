import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reopening: a resolved ticket can be opened again; each reopening is a new resolution round (its timers
 * are rows of their own, each firing once), with a full resolution target from the moment it was reopened.
 */
export class TicketReopen1732500000480 implements MigrationInterface {
  name = 'TicketReopen1732500000480';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE tickets
        ADD COLUMN reopen_round int NOT NULL DEFAULT 0,
        ADD COLUMN reopened_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE tickets DROP COLUMN reopened_at, DROP COLUMN reopen_round');
  }
}
