import { localServiceUrls } from '@crm/contracts';
import { SERVICE_CATALOG, serviceScript, type ServiceDefinition } from '@crm/local-infra';
import { ensureTopics } from '@crm/messaging';
import { mintToken, type Role } from '@crm/auth';
import { eventually, GiveUpWaiting, ManagedProcess } from './managed-process';

export interface RunningPlatform {
  url(service: ServiceDefinition['name']): string;
  token(role: Role): string;
  processes: Map<string, ManagedProcess>;
  /** Another replica of a service (same schema and group) on `port`, started and ready. */
  addReplica(service: ServiceDefinition['name'], port: number): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/** The shared secret the platform under test signs and checks development tokens with. */
export const E2E_JWT_SECRET = 'e2e-secret-that-is-long-enough-for-hs256!!';
const JWT_SECRET = E2E_JWT_SECRET;

/**
 * Starts the six services as separate OS processes, the way `npm start` does, against the test broker and
 * database, on ports offset from the defaults so that a running `npm start` does not collide.
 */
export async function startPlatform(
  env: Record<string, string> = {},
  portOffset = 100,
  /** Each service in a schema of its own with this prefix, so what the test writes touches no other test's data. */
  schemaPrefix?: string,
  /** Settings for one service only, on top of `env` (e.g. its own consumer group). */
  envFor: (service: ServiceDefinition['name']) => Record<string, string> = () => ({}),
): Promise<RunningPlatform> {
  const brokers = process.env.KAFKA_BROKERS!;
  await ensureTopics(brokers);
  const processes = new Map<string, ManagedProcess>();
  const replicas: ManagedProcess[] = [];
  const launch = (service: ServiceDefinition, port: number) =>
    ManagedProcess.start(service.name, serviceScript(service), [], {
      PORT: String(port),
      JWT_SECRET,
      SURVEY_LINK_SECRET: 'e2e-survey-link-secret-long-enough-to-sign',
      KAFKA_CREATE_TOPICS: 'false',
      LOG_LEVEL: 'warn',
      SERVICE_URLS: localServiceUrls(portOffset),
      // No quiet hours unless a test sets them: a touch due at night would otherwise wait for the morning.
      CONTACT_QUIET_HOURS: '00:00-00:00',
      // A stop waits for each consumer's fetch in flight: half a second rather than Kafka's 5 s long poll,
      // which every test file would wait out at its end.
      KAFKA_FETCH_MAX_WAIT_MS: '500',
      ...(schemaPrefix ? { DATABASE_SCHEMA: `${schemaPrefix}_${service.schema}` } : {}),
      ...env,
      ...envFor(service.name),
    });
  const ready = async (service: ServiceDefinition, port: number, process_: ManagedProcess) =>
    eventually(
      `${service.name} on ${port} ready`,
      async () => {
        if (!process_.running) throw new GiveUpWaiting(`${service.name} exited:\n${process_.output()}`);
        return (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok === true;
      },
      120_000,
      200,
    );
  for (const service of SERVICE_CATALOG)
    processes.set(service.name, launch(service, service.port + portOffset));
  const url = (name: string) => {
    const service = SERVICE_CATALOG.find((s) => s.name === name);
    if (!service) throw new Error(`unknown service ${name}`);
    return `http://127.0.0.1:${service.port + portOffset}/${service.prefix}`;
  };
  for (const service of SERVICE_CATALOG)
    await ready(service, service.port + portOffset, processes.get(service.name)!);
  return {
    url,
    token: (role) => mintToken(JWT_SECRET, `e2e-${role}`, [role]),
    processes,
    addReplica: async (name, port) => {
      const service = SERVICE_CATALOG.find((s) => s.name === name)!;
      const replica = launch(service, port);
      replicas.push(replica);
      await ready(service, port, replica);
      return replica;
    },
    stop: async () => {
      await Promise.all([...processes.values(), ...replicas].map((p) => p.kill('SIGTERM')));
    },
  };
}
