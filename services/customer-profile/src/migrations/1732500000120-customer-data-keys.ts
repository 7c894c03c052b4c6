import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data keys move out of the customer row into a table of their own, each naming the master key that wraps
 * it. Keys wrapped before this migration are under the one master key there was, id `initial` (the default
 * of PII_MASTER_KEY_ID), so an upgrade needs no new setting; a rotation re-wraps them.
 */
const UP = [
  `CREATE TABLE customer_data_keys (
     customer_id uuid PRIMARY KEY REFERENCES customers (id),
     master_key_id text NOT NULL,
     wrapped_key text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     rewrapped_at timestamptz
   )`,
  'CREATE INDEX customer_data_keys_master_idx ON customer_data_keys (master_key_id)',
  `INSERT INTO customer_data_keys (customer_id, master_key_id, wrapped_key)
     SELECT id, 'initial', wrapped_key FROM customers WHERE wrapped_key IS NOT NULL`,
  'ALTER TABLE customers DROP COLUMN wrapped_key',
];

export class CustomerDataKeys1732500000120 implements MigrationInterface {
  name = 'CustomerDataKeys1732500000120';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of UP) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customers ADD COLUMN wrapped_key text');
    await runner.query(
      `UPDATE customers c SET wrapped_key = k.wrapped_key FROM customer_data_keys k WHERE k.customer_id = c.id`,
    );
    await runner.query('DROP TABLE customer_data_keys');
  }
}
