import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Subscriptions and their secrets, the events kept for replay, deliveries and every attempt. */
export class WebhookTables1732500000700 implements MigrationInterface {
  name = 'WebhookTables1732500000700';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        url text NOT NULL,
        event_types text[] NOT NULL,
        segment_filter text,
        status text NOT NULL CHECK (status IN ('active', 'paused', 'deleted')),
        consecutive_failures int NOT NULL DEFAULT 0,
        last_error text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE subscription_secrets (
        id bigserial PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz
      )`);
    await runner.query(
      'CREATE INDEX subscription_secrets_subscription_idx ON subscription_secrets (subscription_id)',
    );
    await runner.query(`
      CREATE TABLE events (
        event_id text PRIMARY KEY,
        event_type text NOT NULL,
        subject text NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        source text NOT NULL,
        correlation_id text NOT NULL,
        payload jsonb NOT NULL
      )`);
    await runner.query('CREATE INDEX events_occurred_idx ON events (occurred_at)');
    await runner.query(`
      CREATE TABLE customer_state (
        customer_id uuid PRIMARY KEY,
        revision int NOT NULL,
        memberships text[] NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        subscription_id uuid NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        event_id text NOT NULL,
        subject text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('live', 'replay')),
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'cancelled')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_expires_at timestamptz,
        last_status_code int,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    await runner.query(
      "CREATE UNIQUE INDEX deliveries_live_once ON deliveries (subscription_id, event_id) WHERE kind = 'live'",
    );
    await runner.query(
      "CREATE INDEX deliveries_pending_idx ON deliveries (subscription_id, subject, seq) WHERE status = 'pending'",
    );
    await runner.query(
      "CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'pending'",
    );
    await runner.query('CREATE INDEX deliveries_log_idx ON deliveries (subscription_id, seq DESC)');
    await runner.query(`
      CREATE TABLE delivery_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        attempt int NOT NULL,
        status_code int,
        duration_ms int NOT NULL,
        error text,
        attempted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX delivery_attempts_delivery_idx ON delivery_attempts (delivery_id, attempt)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'delivery_attempts',
      'deliveries',
      'customer_state',
      'events',
      'subscription_secrets',
      'subscriptions',
    ])
      await runner.query(`DROP TABLE ${table}`);
  }
}
