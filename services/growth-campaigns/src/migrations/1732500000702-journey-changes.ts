import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every change of which journey version is live: a new version, an earlier one activated again, a stop. */
export class JourneyChanges1732500000702 implements MigrationInterface {
  name = 'JourneyChanges1732500000702';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE journey_changes (
        id bigserial PRIMARY KEY,
        journey_id text NOT NULL,
        version int NOT NULL,
        action text NOT NULL CHECK (action IN ('created', 'activated', 'removed')),
        actor text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX journey_changes_journey ON journey_changes (journey_id, id DESC)');
    await runner.query(`
      INSERT INTO journey_changes (journey_id, version, action, actor, changed_at)
      SELECT id, version, 'created', created_by, created_at FROM journeys ORDER BY created_at, id, version`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE journey_changes');
  }
}
