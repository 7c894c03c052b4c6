import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The needs register as tagging knows it (type and status, no text): open needs become `need:<type>` tags. */
export class CustomerNeeds1732500000270 implements MigrationInterface {
  name = 'CustomerNeeds1732500000270';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE customer_needs (
        need_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        type text NOT NULL,
        status text NOT NULL,
        changed_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX customer_needs_customer_idx ON customer_needs (customer_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE customer_needs');
  }
}
