import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { PreparingClient } from './preparing-client';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface ServiceDataSourceOptions {
  /** Postgres connection string; each service uses its own schema (its own database in production). */
  url: string;
  schema: string;
  entities: MixedList<string | (new () => unknown)>;
  migrations: MixedList<string | (new () => unknown)>;
  poolSize?: number;
  /**
   * Seconds an unused pooled connection stays open before the pool closes it (default
   * `DEFAULT_POOL_IDLE_SECONDS`; 0 keeps it until the service stops).
   */
  idleSeconds?: number;
  /** Log every query (debugging only). */
  logging?: boolean;
  /** Session limits in milliseconds (Postgres `statement_timeout`, `lock_timeout`, `idle_in_transaction_session_timeout`). */
  timeouts?: { statementMs?: number; lockMs?: number; idleInTransactionMs?: number };
}

/** The service's defaults: generous enough for a sweep batch, short enough that nothing hangs for good. */
export const DEFAULT_SESSION_TIMEOUTS = { statementMs: 60_000, lockMs: 15_000, idleInTransactionMs: 120_000 };

/**
 * How long an unused pooled connection stays open. node-pg's own default is 10 s: the pool reuses its most
 * recently released connection first, so under steady load the connections beyond the usual concurrency
 * sat unused between peaks, were closed after 10 s and were opened again at the next peak. Each new
 * connection is a new Postgres backend: authentication, catalog caches and plans built again, statements
 * prepared again. In the cascade benchmark that was about 50 new connections a run and 4-7 ms of Postgres
 * CPU per purchase (`bench/README.md`, "Pooled connections kept"). Five minutes keeps them through load that
 * comes and goes, and still gives them back at rest. The pool never holds more than its size either way.
 */
export const DEFAULT_POOL_IDLE_SECONDS = 300;

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function serviceDataSourceOptions(options: ServiceDataSourceOptions): DataSourceOptions {
  if (!SCHEMA_NAME.test(options.schema))
    throw new Error(`schema "${options.schema}" must match ${SCHEMA_NAME}`);
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    logging: options.logging ? 'all' : ['error'],
    poolSize: options.poolSize ?? 10,
    // Unqualified names in raw SQL resolve to the service's own schema.
    // Statements a connection runs again and again are prepared on it (see PreparingClient).
    // An unused connection is closed after idleTimeoutMillis (0: never).
    extra: {
      options: sessionOptions(options),
      application_name: options.schema,
      Client: PreparingClient,
      idleTimeoutMillis: Math.floor((options.idleSeconds ?? DEFAULT_POOL_IDLE_SECONDS) * 1000),
    },
  };
}

function sessionOptions(options: ServiceDataSourceOptions): string {
  const t = options.timeouts ?? {};
  const limits: [string, number | undefined][] = [
    ['statement_timeout', t.statementMs],
    ['lock_timeout', t.lockMs],
    ['idle_in_transaction_session_timeout', t.idleInTransactionMs],
  ];
  return [
    `-c search_path=${options.schema},public`,
    ...limits.filter(([, ms]) => ms !== undefined).map(([name, ms]) => `-c ${name}=${Math.floor(ms!)}`),
  ].join(' ');
}

/** Creates the schema, initialises the data source and runs pending migrations under an advisory lock. */
export async function initialiseServiceDataSource(
  options: DataSourceOptions & { schema?: string },
): Promise<DataSource> {
  const schema = options.schema ?? 'public';
  const url = (options as { url?: string }).url;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // Replicas starting together on a new schema race here: IF NOT EXISTS still fails for all but one of
    // them (a unique violation on the catalog), and the schema is there either way.
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).catch((error: { code?: string }) => {
      if (error.code !== '23505' && error.code !== '42P06') throw error;
    });
  } finally {
    await client.end();
  }
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  await runMigrationsExclusively(dataSource, schema);
  return dataSource;
}

const migrationsLogger = new Logger('Migrations');

/** How often a replica waiting for another's migrations asks for the lock again. */
const MIGRATION_LOCK_POLL_MS = 250;

/**
 * Several replicas start at once: one runs the migrations, the others wait and then find nothing to do.
 * The others wait by asking for the lock again and again, not by blocking on it: a statement blocked on a
 * lock holds a snapshot all the while, and a migration that builds an index concurrently waits for every
 * older snapshot in the database, so the running replica and the waiting ones would wait for each other
 * until a lock timeout failed the build.
 */
export async function runMigrationsExclusively(
  dataSource: DataSource,
  schema: string,
  log: (message: string) => void = (message) => migrationsLogger.log(message),
): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = `migrations:${schema}`;
  try {
    const waitingSince = Date.now();
    let reported = waitingSince;
    for (;;) {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        key,
      ])) as { locked: boolean }[];
      if (locked) break;
      if (Date.now() - reported >= 10_000) {
        reported = Date.now();
        log(
          `waiting for another replica's migrations of schema ${schema} (${Math.round((reported - waitingSince) / 1000)} s)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, MIGRATION_LOCK_POLL_MS));
    }
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    await runner.release();
  }
}
