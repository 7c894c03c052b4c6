import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalation steps routed to staff (`staff notification requested`), delivered as service messages through
 * the channels: one row per notification id, with its attempts and outcome (ids only, no addresses).
 */
export class StaffNotifications1732500000701 implements MigrationInterface {
  name = 'StaffNotifications1732500000701';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE staff_notifications (
        id uuid PRIMARY KEY,
        staff_id text NOT NULL,
        role text NOT NULL,
        step text NOT NULL,
        team_id text,
        ticket_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        policy text NOT NULL,
        reason text NOT NULL,
        due_at timestamptz,
        channel text,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'undeliverable', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        requested_at timestamptz NOT NULL,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX staff_notifications_due ON staff_notifications (next_attempt_at) WHERE status = 'pending'`,
    );
    await runner.query(
      'CREATE INDEX staff_notifications_staff ON staff_notifications (staff_id, created_at DESC)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE staff_notifications');
  }
}
