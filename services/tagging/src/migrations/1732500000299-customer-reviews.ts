import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Until when each customer's scores stay as they are without a new fact (`steady_until`, computed with the
 * scores at `steady_from` under `rules_version`): a sweep leaves alone the customers whose range holds its
 * as-of date. A table of its own, not columns of `customer_scores`: writing a range is not a change of the
 * customer's state (that table's triggers mark the customer for the state topic on every update).
 */
export class CustomerReviews1732500000299 implements MigrationInterface {
  name = 'CustomerReviews1732500000299';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE customer_reviews (
        customer_id uuid PRIMARY KEY,
        rules_version text NOT NULL,
        steady_from timestamptz NOT NULL,
        steady_until timestamptz
      ) WITH (fillfactor = 80)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE customer_reviews');
  }
}
