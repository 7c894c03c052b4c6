import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Business calendars, next-response targets, a pausable SLA clock per ticket, warning / breach /
 * escalation timers (one row per ticket, metric, kind and round: each fires at most once), survey
 * answers and the quiet period, and a durable schedule for periodic NPS rounds.
 */
export class SlaCalendarsClockEscalation1732500000410 implements MigrationInterface {
  name = 'SlaCalendarsClockEscalation1732500000410';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE business_calendars (
        id text PRIMARY KEY,
        time_zone text NOT NULL,
        opening_hours jsonb NOT NULL,
        holidays text[] NOT NULL DEFAULT '{}',
        description text NOT NULL DEFAULT ''
      )`);
    await runner.query(`
      INSERT INTO business_calendars (id, time_zone, opening_hours, description) VALUES
        ('office-hours', 'UTC', '{"1":[["09:00","18:00"]],"2":[["09:00","18:00"]],"3":[["09:00","18:00"]],"4":[["09:00","18:00"]],"5":[["09:00","18:00"]]}',
         'Monday to Friday, 09:00-18:00 UTC; copy it with your own zone and holidays')`);
    await runner.query(`
      ALTER TABLE sla_policies
        ADD COLUMN next_response_seconds int CHECK (next_response_seconds > 0),
        ADD COLUMN calendar_id text REFERENCES business_calendars(id)`);
    await runner.query('UPDATE sla_policies SET next_response_seconds = first_response_seconds');
    await runner.query(`
      INSERT INTO sla_policies (id, position, ticket_type, first_response_seconds, next_response_seconds, resolution_seconds, requires_owner, description)
      VALUES ('follow-up', 5, 'follow-up', 172800, 86400, 259200, false,
              'Low satisfaction score: a remediation plan (the first response) within 48 h')`);

    await runner.query(`ALTER TABLE tickets DROP CONSTRAINT tickets_status_check`);
    await runner.query(`
      ALTER TABLE tickets
        ADD CONSTRAINT tickets_status_check CHECK (status IN ('open', 'responded', 'waiting-on-customer', 'resolved')),
        ADD COLUMN customer_tier text,
        ADD COLUMN customer_segment text,
        ADD COLUMN calendar_id text,
        ADD COLUMN clock_used_seconds double precision NOT NULL DEFAULT 0,
        ADD COLUMN clock_running_since timestamptz,
        ADD COLUMN next_response_due_at timestamptz,
        ADD COLUMN awaiting_reply_since timestamptz,
        ADD COLUMN reply_round int NOT NULL DEFAULT 0,
        ADD COLUMN next_response_breaches int NOT NULL DEFAULT 0,
        ADD COLUMN escalation_level text NOT NULL DEFAULT 'front-line',
        ADD COLUMN survey_id uuid,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
        ALTER COLUMN first_response_due_at DROP NOT NULL,
        ALTER COLUMN resolution_due_at DROP NOT NULL`);
    await runner.query(
      `UPDATE tickets SET clock_running_since = opened_at WHERE status <> 'resolved' AND clock_running_since IS NULL`,
    );
    await runner.query('CREATE INDEX tickets_opened_idx ON tickets (opened_at)');
    await runner.query(
      `CREATE INDEX tickets_open_customer_idx ON tickets (customer_id) WHERE status <> 'resolved'`,
    );

    // Timers: due_at is NULL while the clock is paused; a met deadline cancels its timers.
    await runner.query('DROP INDEX sla_timers_due_idx');
    await runner.query('ALTER TABLE sla_timers DROP CONSTRAINT sla_timers_ticket_id_metric_key');
    await runner.query('ALTER TABLE sla_timers DROP CONSTRAINT sla_timers_metric_check');
    await runner.query(`
      ALTER TABLE sla_timers
        ALTER COLUMN due_at DROP NOT NULL,
        ADD COLUMN kind text NOT NULL DEFAULT 'breach' CHECK (kind IN ('warning', 'breach', 'escalation')),
        ADD COLUMN round int NOT NULL DEFAULT 0,
        ADD CONSTRAINT sla_timers_metric_check CHECK (metric IN ('first-response', 'next-response', 'resolution')),
        ADD CONSTRAINT sla_timers_once UNIQUE (ticket_id, metric, kind, round)`);
    await runner.query(
      'CREATE INDEX sla_timers_due_idx ON sla_timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at IS NOT NULL',
    );

    await runner.query(`
      ALTER TABLE survey_requests
        ADD COLUMN status text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'suppressed', 'answered')),
        ADD COLUMN suppressed_reason text,
        ADD COLUMN score int,
        ADD COLUMN sentiment text,
        ADD COLUMN answered_at timestamptz,
        ADD COLUMN follow_up_ticket_id uuid`);
    await runner.query(
      `CREATE INDEX survey_requests_answered_idx ON survey_requests (answered_at) WHERE answered_at IS NOT NULL`,
    );

    // scheduled_jobs itself belongs to @crm/persistence (ScheduledJobsTable1732500000001).
    await runner.query(
      `INSERT INTO scheduled_jobs (name, next_run_at) VALUES ('nps-round', now() + interval '1 day')`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM scheduled_jobs WHERE name = 'nps-round'`);
    await runner.query(`DELETE FROM sla_policies WHERE id = 'follow-up'`);
    await runner.query('ALTER TABLE sla_policies DROP COLUMN calendar_id, DROP COLUMN next_response_seconds');
    await runner.query('DROP TABLE business_calendars');
  }
}
