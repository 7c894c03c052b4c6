import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a named bulk import stands: the first line not yet committed and the counts so far, written in the
 * transaction of each batch, so that running the same import again continues where it stopped.
 */
export class ImportCheckpoints1732500000210 implements MigrationInterface {
  name = 'ImportCheckpoints1732500000210';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE import_checkpoints (
        import_id text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('customers', 'purchases')),
        next_line int NOT NULL DEFAULT 2,
        records int NOT NULL DEFAULT 0,
        imported int NOT NULL DEFAULT 0,
        unchanged int NOT NULL DEFAULT 0,
        failed int NOT NULL DEFAULT 0,
        runs int NOT NULL DEFAULT 0,
        run_token uuid NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE import_checkpoints');
  }
}
