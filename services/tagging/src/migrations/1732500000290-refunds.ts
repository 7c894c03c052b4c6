import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds: what is refunded on each order, and `net_purchases`, the purchases as scores, segments, insights
 * and KPIs count them: the amount net of refunds, and a fully refunded order not at all.
 */
export class Refunds1732500000290 implements MigrationInterface {
  name = 'Refunds1732500000290';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE purchase_facts ADD COLUMN refunded numeric(16,2) NOT NULL DEFAULT 0');
    await runner.query(`
      CREATE VIEW net_purchases AS
        SELECT order_id, customer_id, amount - refunded AS amount, occurred_at, category_amounts, event_id
          FROM purchase_facts WHERE refunded < amount`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP VIEW net_purchases');
    await runner.query('ALTER TABLE purchase_facts DROP COLUMN refunded');
  }
}
