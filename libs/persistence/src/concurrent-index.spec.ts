import type { QueryRunner } from 'typeorm';
import { concurrentIndexMigration } from './concurrent-index';

/** A runner that records the statements it is given (no database: the builds are run for real in the services' tests). */
function recordingRunner() {
  const statements: string[] = [];
  const runner = { query: async (sql: string) => void statements.push(sql) } as unknown as QueryRunner;
  return { runner, statements };
}

describe('concurrentIndexMigration', () => {
  const Migration = concurrentIndexMigration(
    'ThingsIndex1732500000999',
    'things_idx',
    'ON things (a) WHERE b',
  );

  it('is a migration TypeORM knows by its name, run outside a transaction', () => {
    const migration = new Migration();
    expect(migration.name).toBe('ThingsIndex1732500000999');
    expect(migration.transaction).toBe(false);
  });

  it('builds the index concurrently going up, with the session limits lifted and restored', async () => {
    const { runner, statements } = recordingRunner();
    await new Migration().up(runner);
    expect(statements).toEqual([
      'SET statement_timeout = 0',
      'SET lock_timeout = 0',
      'DROP INDEX CONCURRENTLY IF EXISTS things_idx',
      'CREATE INDEX CONCURRENTLY things_idx ON things (a) WHERE b',
      'RESET statement_timeout',
      'RESET lock_timeout',
    ]);
  });

  it('drops it concurrently going down', async () => {
    const { runner, statements } = recordingRunner();
    await new Migration().down(runner);
    expect(statements).toContain('DROP INDEX CONCURRENTLY IF EXISTS things_idx');
    expect(statements.filter((s) => s.startsWith('CREATE'))).toEqual([]);
  });
});
