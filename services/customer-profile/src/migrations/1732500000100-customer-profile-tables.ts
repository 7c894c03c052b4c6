import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CustomerProfileTables1732500000100 implements MigrationInterface {
  name = 'CustomerProfileTables1732500000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE customers (
        id uuid PRIMARY KEY,
        external_ref text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('person', 'company')),
        name_enc text,
        email_enc text,
        phone_enc text,
        contacts_enc text,
        birthday_enc text,
        email_hash text,
        phone_hash text,
        wrapped_key text,
        industry text,
        company_size text,
        need_tags text[] NOT NULL DEFAULT '{}',
        birthday_month_day text,
        registered_at timestamptz NOT NULL,
        relationship_started_at timestamptz NOT NULL,
        referred_by_code text,
        lifetime_spend numeric(16,2) NOT NULL DEFAULT 0,
        lifetime_purchase_count int NOT NULL DEFAULT 0,
        first_purchase_at timestamptz,
        last_purchase_at timestamptz,
        erased_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT customers_external_ref_key UNIQUE (external_ref),
        CONSTRAINT customers_email_hash_key UNIQUE (email_hash)
      )`);
    await runner.query(`
      CREATE TABLE consents (
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        channel text NOT NULL,
        purpose text NOT NULL,
        granted boolean NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, channel, purpose)
      )`);
    await runner.query(`
      CREATE TABLE purchases (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customers(id),
        order_id text NOT NULL,
        amount numeric(16,2) NOT NULL,
        currency char(3) NOT NULL,
        occurred_at timestamptz NOT NULL,
        items jsonb NOT NULL,
        event_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT purchases_order_id_key UNIQUE (order_id)
      )`);
    await runner.query('CREATE INDEX purchases_customer_time_idx ON purchases (customer_id, occurred_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE purchases');
    await runner.query('DROP TABLE consents');
    await runner.query('DROP TABLE customers');
  }
}
