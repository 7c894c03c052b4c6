import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { serviceDataSourceOptions } from '../src';

/**
 * A service's pool against real Postgres: unused connections are closed after the idle time the service
 * was given (`idleSeconds`, which `DATABASE_POOL_IDLE_SECONDS` sets), and kept (the same backends, not new
 * ones) while it has not passed.
 */
describe('a service pool and its unused connections', () => {
  const url = process.env.DATABASE_URL!;
  let observer: Client;
  beforeAll(async () => {
    observer = new Client({ connectionString: url });
    await observer.connect();
  });
  afterAll(() => observer.end());

  /** The backends of one pool (its application name), by process id. */
  const backends = async (name: string) =>
    (
      await observer.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid',
        [name],
      )
    ).rows.map((r) => r.pid);

  /** A pool of this schema name with three connections opened at once, then left unused. */
  async function poolWithThree(schema: string, idleSeconds?: number): Promise<DataSource> {
    await observer.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const source = new DataSource(
      serviceDataSourceOptions({ url, schema, entities: [], migrations: [], poolSize: 3, idleSeconds }),
    );
    await source.initialize();
    // Three transactions open together need three connections; each waits until all three have begun.
    let begun = 0;
    let release!: () => void;
    const allBegun = new Promise<void>((resolve) => (release = resolve));
    await Promise.all(
      [1, 2, 3].map(() =>
        source.transaction(async (manager) => {
          await manager.query('SELECT 1');
          begun += 1;
          if (begun === 3) release();
          await allBegun;
        }),
      ),
    );
    return source;
  }

  it('closes them once the idle time has passed', async () => {
    const source = await poolWithThree('pool_idle_short', 1);
    try {
      expect(await backends('pool_idle_short')).toHaveLength(3);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(await backends('pool_idle_short')).toHaveLength(0);
    } finally {
      await source.destroy();
    }
  });

  it('keeps the same ones open while the idle time has not passed, and reuses them', async () => {
    // (The default, five minutes, is the unit test's; waiting it out here would only slow the suite.)
    const source = await poolWithThree('pool_idle_long', 5);
    try {
      const before = await backends('pool_idle_long');
      expect(before).toHaveLength(3);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(await backends('pool_idle_long')).toEqual(before);
      const used = await source.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
      expect(before).toContain(used[0].pid);
    } finally {
      await source.destroy();
    }
  });
});
