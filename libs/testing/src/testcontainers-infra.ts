import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

/** The optional Docker path: the same pinned Kafka and a PostgreSQL 17, nothing else. */
export async function startContainers(wanted: { kafka: boolean; postgres: boolean }) {
  const started: StartedTestContainer[] = [];
  let kafkaBrokers: string | undefined;
  let databaseUrl: string | undefined;
  if (wanted.kafka) {
    const kafka = await new GenericContainer('apache/kafka:4.1.1')
      .withExposedPorts({ container: 9092, host: 19092 })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://localhost:19092',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    started.push(kafka);
    kafkaBrokers = 'localhost:19092';
  }
  if (wanted.postgres) {
    const pg = await new GenericContainer('postgres:17')
      .withExposedPorts(5432)
      .withEnvironment({ POSTGRES_PASSWORD: 'crm', POSTGRES_DB: 'crm_test' })
      .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
      .start();
    started.push(pg);
    databaseUrl = `postgres://postgres:crm@${pg.getHost()}:${pg.getMappedPort(5432)}/crm_test`;
  }
  return {
    kafkaBrokers,
    databaseUrl,
    stop: async () => void (await Promise.all(started.map((c) => c.stop()))),
  };
}
