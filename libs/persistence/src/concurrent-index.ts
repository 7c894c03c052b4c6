import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Builds an index concurrently, in a migration that runs outside a transaction (`transaction = false`):
 * rows keep being written while it builds (minutes on a large table). A build interrupted halfway leaves an
 * invalid index, which the next run drops and builds again. `definition` is what follows `CREATE INDEX
 * CONCURRENTLY <name>`, e.g. `ON t (c) WHERE status = 'x'`.
 */
export async function createIndexConcurrently(
  runner: QueryRunner,
  name: string,
  definition: string,
): Promise<void> {
  await withoutSessionLimits(runner, async () => {
    await runner.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    await runner.query(`CREATE INDEX CONCURRENTLY ${name} ${definition}`);
  });
}

/** Drops an index concurrently (the `down` of `createIndexConcurrently`). */
export async function dropIndexConcurrently(runner: QueryRunner, name: string): Promise<void> {
  await withoutSessionLimits(runner, () => runner.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`));
}

/**
 * The class of a migration that builds one index concurrently and drops it going down, outside a transaction.
 * `name` is the migration's name as TypeORM records it (its timestamp is the name's end), so a migration written
 * as its own class before keeps its identity.
 */
export function concurrentIndexMigration(
  name: string,
  index: string,
  definition: string,
): new () => MigrationInterface {
  return class implements MigrationInterface {
    readonly name = name;
    readonly transaction = false;

    async up(runner: QueryRunner): Promise<void> {
      await createIndexConcurrently(runner, index, definition);
    }

    async down(runner: QueryRunner): Promise<void> {
      await dropIndexConcurrently(runner, index);
    }
  };
}

/**
 * A concurrent build waits for every transaction older than it and reads the whole table: longer than the
 * service's statement and lock limits on a large table, which would fail it halfway every start. The limits
 * are lifted for the work (a session setting: no transaction here) and restored after.
 */
export async function withoutSessionLimits(runner: QueryRunner, work: () => Promise<unknown>): Promise<void> {
  await runner.query('SET statement_timeout = 0');
  await runner.query('SET lock_timeout = 0');
  try {
    await work();
  } finally {
    await runner.query('RESET statement_timeout');
    await runner.query('RESET lock_timeout');
  }
}
