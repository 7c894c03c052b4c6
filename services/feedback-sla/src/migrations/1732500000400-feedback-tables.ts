import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tickets, SLA policies (data, first match wins), durable SLA timers and survey requests. */
export class FeedbackTables1732500000400 implements MigrationInterface {
  name = 'FeedbackTables1732500000400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE customers (
        customer_id uuid PRIMARY KEY,
        value_tier text,
        value_loyalty_segment text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE sla_policies (
        id text PRIMARY KEY,
        position int NOT NULL,
        ticket_type text,
        customer_tier text,
        customer_segment text,
        priority text,
        first_response_seconds int NOT NULL CHECK (first_response_seconds > 0),
        resolution_seconds int NOT NULL CHECK (resolution_seconds > 0),
        requires_owner boolean NOT NULL DEFAULT false,
        description text NOT NULL DEFAULT ''
      )`);
    await runner.query(`
      INSERT INTO sla_policies (id, position, ticket_type, customer_tier, customer_segment, first_response_seconds, resolution_seconds, requires_owner, description) VALUES
        ('complaint', 10, 'complaint', NULL, NULL, 1800, 259200, true, 'Complaint: first response within 0.5 h, a dedicated owner'),
        ('fault', 20, 'fault', NULL, NULL, 7200, 259200, false, 'Fault: first response within 2 h'),
        ('consultation', 30, 'consultation', NULL, NULL, 3600, 259200, false, 'Consultation: first response within 1 h'),
        ('high-value', 40, NULL, 'high-value', NULL, 43200, 259200, false, 'High-value customers: first response within 12 h'),
        ('core', 50, NULL, NULL, 'core', 43200, 259200, false, 'Core customers: first response within 12 h'),
        ('churn-warning', 60, NULL, NULL, 'churn-warning', 86400, 259200, false, 'Churn-warning enquiries: response within 24 h'),
        ('default', 1000, NULL, NULL, NULL, 86400, 259200, false, 'Everyone else: first response within 24 h, resolution within 72 h')`);
    await runner.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        ticket_type text NOT NULL,
        priority text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'responded', 'resolved')),
        owner text,
        subject text,
        correlation_id text NOT NULL,
        policy_id text NOT NULL,
        opened_at timestamptz NOT NULL,
        first_response_due_at timestamptz NOT NULL,
        resolution_due_at timestamptz NOT NULL,
        first_responded_at timestamptz,
        resolved_at timestamptz,
        first_response_breached_at timestamptz,
        resolution_breached_at timestamptz
      )`);
    await runner.query('CREATE INDEX tickets_customer_idx ON tickets (customer_id, opened_at DESC)');
    await runner.query(`
      CREATE TABLE sla_timers (
        id bigserial PRIMARY KEY,
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        metric text NOT NULL CHECK (metric IN ('first-response', 'resolution')),
        due_at timestamptz NOT NULL,
        fired_at timestamptz,
        cancelled_at timestamptz,
        UNIQUE (ticket_id, metric)
      )`);
    await runner.query(
      'CREATE INDEX sla_timers_due_idx ON sla_timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL',
    );
    await runner.query(`
      CREATE TABLE survey_requests (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        kind text NOT NULL,
        order_id text UNIQUE,
        ticket_id uuid UNIQUE,
        requested_at timestamptz NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX survey_requests_customer_idx ON survey_requests (customer_id, requested_at DESC)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['survey_requests', 'sla_timers', 'tickets', 'sla_policies', 'customers'])
      await runner.query(`DROP TABLE ${table}`);
  }
}
