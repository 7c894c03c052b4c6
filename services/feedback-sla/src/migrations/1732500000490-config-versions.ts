import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SLA policies and business calendars versioned like the other configuration: every change (and removal, a
 * null definition) is a numbered version with who and why; an earlier version can be restored. What exists
 * becomes version 1.
 */
export class ConfigVersions1732500000490 implements MigrationInterface {
  name = 'ConfigVersions1732500000490';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE config_versions (
        kind text NOT NULL CHECK (kind IN ('sla-policy', 'calendar')),
        config_id text NOT NULL,
        version int NOT NULL,
        definition jsonb,
        changed_by text NOT NULL,
        reason text NOT NULL DEFAULT '',
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, config_id, version)
      )`);
    await runner.query(`
      INSERT INTO config_versions (kind, config_id, version, definition, changed_by, reason)
      SELECT 'sla-policy', id, 1, jsonb_build_object(
               'id', id, 'position', position, 'ticketType', ticket_type, 'customerTier', customer_tier,
               'customerSegment', customer_segment, 'priority', priority, 'firstResponseSeconds', first_response_seconds,
               'nextResponseSeconds', next_response_seconds, 'resolutionSeconds', resolution_seconds,
               'requiresOwner', requires_owner, 'calendarId', calendar_id, 'description', description),
             'migration', 'the policy as it stood when versions began'
        FROM sla_policies`);
    await runner.query(`
      INSERT INTO config_versions (kind, config_id, version, definition, changed_by, reason)
      SELECT 'calendar', id, 1, jsonb_build_object(
               'id', id, 'timeZone', time_zone, 'openingHours', opening_hours, 'holidays', to_jsonb(holidays),
               'description', description),
             'migration', 'the calendar as it stood when versions began'
        FROM business_calendars`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE config_versions');
  }
}
