import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The playbooks become journeys: each one a journey entered on its trigger whose one step is its touch,
 * keeping its name (its touches still say `playbook: <id>`), its contact deadline and category; a disabled
 * one is a deleted journey. From here they are versioned and changed through the journeys API while the
 * platform runs. A journey someone already created under a playbook's id keeps it; the playbook becomes
 * `playbook-<id>`. Runs remember the variables their entering moment gave (a survey's link).
 */
export class PlaybooksAsJourneys1732500000698 implements MigrationInterface {
  name = 'PlaybooksAsJourneys1732500000698';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE journey_runs ADD COLUMN variables jsonb');
    await runner.query(`
      CREATE TEMPORARY TABLE seeded_playbooks AS
      SELECT CASE WHEN EXISTS (SELECT 1 FROM journey_heads h WHERE h.id = p.id) THEN 'playbook-' || p.id ELSE p.id END
               AS journey_id,
             p.*
        FROM playbooks p`);
    await runner.query(`
      INSERT INTO journeys (id, version, definition, created_by)
      SELECT journey_id, 1,
             jsonb_build_object(
               'name', left(description, 120),
               'description', description,
               'playbook', id,
               'entry', jsonb_build_object('trigger', trigger),
               'start', 'touch',
               'steps', jsonb_build_object('touch', jsonb_build_object(
                 'type', 'action',
                 'action', jsonb_strip_nulls(jsonb_build_object(
                   'kind', 'touch', 'channel', channel, 'purpose', purpose, 'template', action,
                   'contactDueHours', contact_due_hours, 'category', category))))),
             'seed'
        FROM seeded_playbooks`);
    await runner.query(`
      INSERT INTO journey_heads (id, current_version, deleted_at)
      SELECT journey_id, 1, CASE WHEN enabled THEN NULL ELSE now() END FROM seeded_playbooks`);
    await runner.query('DROP TABLE seeded_playbooks');
    // The one written playbook touch that had no template: a journey's e-mail needs one to be saved again.
    await runner.query(`
      INSERT INTO templates (id, locale, subject, body, updated_by) VALUES
        ('cross-sell-offer', 'en', 'Something that goes with what you have', 'Picked for you: {{ links.offer }}', 'seed'),
        ('cross-sell-offer', 'zh-CN', '为您搭配的推荐', '为您精选：{{ links.offer }}', 'seed')
      ON CONFLICT DO NOTHING`);
    await runner.query('DROP TABLE playbooks');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE playbooks (
        id text PRIMARY KEY,
        trigger text NOT NULL,
        action text NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('service', 'marketing')),
        channel text NOT NULL,
        contact_due_hours int,
        enabled boolean NOT NULL DEFAULT true,
        description text NOT NULL,
        category text
      )`);
    await runner.query(`
      INSERT INTO playbooks (id, trigger, action, purpose, channel, contact_due_hours, enabled, description, category)
      SELECT j.definition->>'playbook', j.definition->'entry'->>'trigger',
             j.definition->'steps'->'touch'->'action'->>'template', j.definition->'steps'->'touch'->'action'->>'purpose',
             j.definition->'steps'->'touch'->'action'->>'channel',
             (j.definition->'steps'->'touch'->'action'->>'contactDueHours')::int, h.deleted_at IS NULL,
             j.definition->>'description', j.definition->'steps'->'touch'->'action'->>'category'
        FROM journey_heads h JOIN journeys j ON j.id = h.id AND j.version = h.current_version
       WHERE j.created_by = 'seed' AND j.definition ? 'playbook'`);
    await runner.query(
      "DELETE FROM journey_heads h USING journeys j WHERE j.id = h.id AND j.created_by = 'seed' AND j.definition ? 'playbook'",
    );
    await runner.query("DELETE FROM journeys WHERE created_by = 'seed' AND definition ? 'playbook'");
    await runner.query('ALTER TABLE journey_runs DROP COLUMN variables');
  }
}
