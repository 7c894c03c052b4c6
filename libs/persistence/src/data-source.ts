import { Client } from 'pg';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface ServiceDataSourceOptions {
  /** Postgres connection string; each service uses its own schema (its own database in production). */
  url: string;
  schema: string;
  entities: MixedList<string | (new () => unknown)>;
  migrations: MixedList<string | (new () => unknown)>;
  poolSize?: number;
  /** Log every query (debugging only). */
  logging?: boolean;
  /** Session limits in milliseconds (Postgres `statement_timeout`, `lock_timeout`, `idle_in_transaction_session_timeout`). */
  timeouts?: { statementMs?: number; lockMs?: number; idleInTransactionMs?: number };
}

/** The service's defaults: generous enough for a sweep batch, short enough that nothing hangs for good. */
export const DEFAULT_SESSION_TIMEOUTS = { statementMs: 60_000, lockMs: 15_000, idleInTransactionMs: 120_000 };

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
    extra: { options: sessionOptions(options), application_name: options.schema },
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
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  await runMigrationsExclusively(dataSource, schema);
  return dataSource;
}

/** Several replicas start at once: one runs the migrations, the others wait and then find nothing to do. */
export async function runMigrationsExclusively(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // Waiting for another replica's migrations is not a stuck statement: no session limits on this wait.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SET lock_timeout = 0');
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`])
      .catch(() => undefined);
    await runner.query('RESET statement_timeout; RESET lock_timeout').catch(() => undefined);
    await runner.release();
  }
}
