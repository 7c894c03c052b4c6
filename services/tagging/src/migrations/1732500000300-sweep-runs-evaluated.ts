import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many customers a sweep evaluated: the others were steady past its as-of date (`customer_reviews`).
 * Unknown (null) for the runs before it was counted.
 */
export class SweepRunsEvaluated1732500000300 implements MigrationInterface {
  name = 'SweepRunsEvaluated1732500000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE sweep_runs ADD COLUMN evaluated int');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE sweep_runs DROP COLUMN evaluated');
  }
}
