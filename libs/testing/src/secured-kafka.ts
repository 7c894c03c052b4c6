import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { logLevel, type Kafka, type KafkaConfig } from 'kafkajs';
import { SERVICE_CATALOG, type ConsumerGroupName } from '@crm/contracts';
import {
  startKafkaBroker,
  stopKafkaBroker,
  workspaceRoot,
  type KafkaBrokerState,
  type ScramUser,
} from '@crm/local-infra';
import {
  applyServiceAcls,
  createKafka,
  ensureTopics,
  readDeadLetters,
  servicePrincipal,
  type DeadLetter,
  type KafkaSecurity,
} from '@crm/messaging';

/** A second, secured broker for a test: TLS, SCRAM-SHA-512, the KRaft authorizer, one user per service. */
export interface SecuredKafka {
  brokers: string;
  /** The broker's self-signed certificate (PEM), the one CA its clients trust. */
  caFile: string;
  admin: ScramUser;
  users: Map<ConsumerGroupName, ScramUser>;
  /** A client over TLS authenticating as `user` (none: no credentials at all); no retries, quiet. */
  client(user: ScramUser | undefined, overrides?: Partial<KafkaConfig>): Kafka;
  deadLetters(group: ConsumerGroupName): Promise<DeadLetter[]>;
  /** Settings for a service of `startPlatform` to run as its own user on this broker. */
  envFor(service: ConsumerGroupName): Record<string, string>;
  stop(): Promise<void>;
}

/** Starts it on a fresh data directory, creates the catalog topics as admin and grants each service its ACLs. */
export async function startSecuredKafka(port: number): Promise<SecuredKafka> {
  const brokers = `127.0.0.1:${port}`;
  const secret = () => randomBytes(18).toString('base64url');
  const admin: ScramUser = { username: 'crm-admin', password: secret() };
  const users = new Map(
    SERVICE_CATALOG.map((s) => [s.name, { username: servicePrincipal(s.name), password: secret() }]),
  );
  const workDir = join(workspaceRoot(), '.local/test/kafka-scram');
  rmSync(join(workDir, 'data'), { recursive: true, force: true });
  const broker: KafkaBrokerState = await startKafkaBroker({
    workDir,
    port,
    controllerPort: port + 1,
    heap: '512m',
    portSetting: 'CRM_TEST_SCRAM_KAFKA_PORT',
    scram: { admin, users: [...users.values()] },
    tls: true,
  });
  const caFile = broker.caFile!;
  const ssl = { ca: [readFileSync(caFile, 'utf8')], rejectUnauthorized: true };
  const sasl = (user: ScramUser): KafkaSecurity => ({ ssl, sasl: { mechanism: 'scram-sha-512', ...user } });
  await ensureTopics(brokers, { security: sasl(admin) });
  await applyServiceAcls(brokers, sasl(admin));
  const client = (user: ScramUser | undefined, overrides: Partial<KafkaConfig> = {}) =>
    createKafka(brokers, `secured-kafka-test-${randomBytes(4).toString('hex')}`, {
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      ...(user ? sasl(user) : { ssl, sasl: undefined }),
      ...overrides,
    });
  return {
    brokers,
    caFile,
    admin,
    users,
    client,
    deadLetters: (group) => readDeadLetters(client(admin, { retry: { retries: 5 } }), group),
    envFor: (service) => ({
      KAFKA_BROKERS: brokers,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: users.get(service)!.username,
      KAFKA_SASL_PASSWORD: users.get(service)!.password,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: caFile,
    }),
    stop: () => stopKafkaBroker(broker),
  };
}
