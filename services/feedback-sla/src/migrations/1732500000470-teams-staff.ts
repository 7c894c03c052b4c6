import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The people behind the escalation levels: staff (their e-mail address sealed, read only at the moment of
 * sending) and teams (members, a lead, an on-call rotation turned by the team's business calendar, and the
 * team whose on-call executive takes the last step).
 */
export class TeamsStaff1732500000470 implements MigrationInterface {
  name = 'TeamsStaff1732500000470';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE staff (
        id text PRIMARY KEY,
        email_sealed text,
        locale text NOT NULL DEFAULT 'en',
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE teams (
        id text PRIMARY KEY,
        name text NOT NULL,
        lead text NOT NULL,
        members text[] NOT NULL DEFAULT '{}',
        on_call text[] NOT NULL DEFAULT '{}',
        calendar_id text REFERENCES business_calendars (id),
        rotation_start date NOT NULL,
        escalates_to text REFERENCES teams (id),
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX teams_members ON teams USING gin (members)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE teams');
    await runner.query('DROP TABLE staff');
  }
}
