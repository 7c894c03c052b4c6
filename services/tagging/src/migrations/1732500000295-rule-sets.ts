import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scoring rule sets as versioned data: every version proposed is kept (its rules, who proposed it), one is
 * active, and every activation and rollback is a row in `rule_set_changes` with the sweep that applied it.
 */
export class RuleSets1732500000295 implements MigrationInterface {
  name = 'RuleSets1732500000295';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE rule_sets (
        version text PRIMARY KEY,
        rules jsonb NOT NULL,
        status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'active', 'retired')),
        note text NOT NULL DEFAULT '',
        proposed_by text NOT NULL,
        proposed_at timestamptz NOT NULL DEFAULT now(),
        activated_at timestamptz,
        activated_by text
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX rule_sets_one_active ON rule_sets ((true)) WHERE status = 'active'`,
    );
    await runner.query(`
      CREATE TABLE rule_set_changes (
        id bigserial PRIMARY KEY,
        action text NOT NULL CHECK (action IN ('activated', 'rolled-back')),
        version text NOT NULL REFERENCES rule_sets (version),
        previous_version text REFERENCES rule_sets (version),
        actor text NOT NULL,
        reason text NOT NULL DEFAULT '',
        sweep_run_id uuid,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE rule_set_changes');
    await runner.query('DROP TABLE rule_sets');
  }
}
