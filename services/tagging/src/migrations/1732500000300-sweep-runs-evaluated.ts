import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whom a sweep set out to evaluate (`due` or `everyone`) and how many it evaluated: the others were steady
 * past its as-of date (`customer_reviews`). Unknown (null) for the runs before they were recorded.
 */
export class SweepRunsEvaluated1732500000300 implements MigrationInterface {
  name = 'SweepRunsEvaluated1732500000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE sweep_runs ADD COLUMN evaluated int, ADD COLUMN review text');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE sweep_runs DROP COLUMN evaluated, DROP COLUMN review');
  }
}
