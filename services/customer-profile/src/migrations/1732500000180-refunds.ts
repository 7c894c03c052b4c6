import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Refunds against orders, once per refund id; an order is never refunded beyond its amount. */
export class Refunds1732500000180 implements MigrationInterface {
  name = 'Refunds1732500000180';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE refunds (
        refund_id text PRIMARY KEY,
        customer_id uuid NOT NULL,
        order_id text NOT NULL,
        amount numeric NOT NULL CHECK (amount > 0),
        reason text NOT NULL,
        refunded_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX refunds_order_idx ON refunds (order_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE refunds');
  }
}
