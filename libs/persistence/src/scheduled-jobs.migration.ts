import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `scheduled_jobs` table `claimScheduledJob` works on, owned here so every service has the same columns.
 * Idempotent: schemas created before this migration already have the table (created by a service's own
 * migration then) and only gain the columns they lack.
 */
export class ScheduledJobsTable1732500000001 implements MigrationInterface {
  name = 'ScheduledJobsTable1732500000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS scheduled_jobs (
        name text PRIMARY KEY,
        next_run_at timestamptz NOT NULL,
        last_run_at timestamptz,
        last_result jsonb
      )`);
    await runner.query('ALTER TABLE scheduled_jobs ADD COLUMN IF NOT EXISTS last_result jsonb');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS scheduled_jobs');
  }
}
