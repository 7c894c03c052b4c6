import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every (re)assignment of a ticket, for the audit trail: from whom, to whom, by whom, why and when. */
export class TicketAssignments1732500000450 implements MigrationInterface {
  name = 'TicketAssignments1732500000450';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE ticket_assignments (
        id bigserial PRIMARY KEY,
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        previous_owner text,
        owner text NOT NULL,
        assigned_by text NOT NULL,
        reason text,
        assigned_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX ticket_assignments_ticket_idx ON ticket_assignments (ticket_id, id)');
    await runner.query('CREATE INDEX tickets_open_queue_idx ON tickets (owner) WHERE resolved_at IS NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX tickets_open_queue_idx');
    await runner.query('DROP TABLE ticket_assignments');
  }
}
