import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Payment due dates and warranties on purchases, and payments against orders (once per payment id). */
export class Payments1732500000160 implements MigrationInterface {
  name = 'Payments1732500000160';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE purchases ADD COLUMN payment_due_at timestamptz, ADD COLUMN warranty_until timestamptz',
    );
    await runner.query(`
      CREATE TABLE payments (
        payment_id text PRIMARY KEY,
        customer_id uuid NOT NULL,
        order_id text NOT NULL,
        amount numeric NOT NULL CHECK (amount > 0),
        paid_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX payments_order_idx ON payments (order_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE payments');
    await runner.query('ALTER TABLE purchases DROP COLUMN payment_due_at, DROP COLUMN warranty_until');
  }
}
