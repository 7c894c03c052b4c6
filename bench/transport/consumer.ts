/**
 * One consumer of the transport benchmark, run as its own process so its CPU is its own:
 *   BENCH_VARIANT=ours-noop | ours-insert | stock-noop | stock-insert | client-noop
 * `ours` is this platform's KafkaEventTransport (CloudEvents decoding and validation, inbox, one transaction
 * per run of a partition, dead letters); `stock` is Nest's ServerKafka (`Transport.KAFKA`) with the same
 * handler; `client` is kafkajs alone (a consumer that counts each record it is given and does nothing else:
 * the client library's own ceiling, which no transport built on it can pass). Prints one JSON line when
 * BENCH_COUNT messages were handled.
 */
import 'reflect-metadata';
import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  EVENT_CATALOG,
  EventRegistry,
  PurchaseRecorded,
  type EventDefinition,
  type EventEnvelope,
  type PurchaseRecordedV1,
  type TopicName,
} from '@crm/contracts';
import {
  EventContext,
  EventErrorPassthroughFilter,
  KafkaEventTransport,
  MessagingModule,
  MESSAGING_MIGRATIONS,
  OutboxPublisher,
} from '@crm/messaging';
import { initialiseServiceDataSource, serviceDataSourceOptions } from '@crm/persistence';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const variant = env('BENCH_VARIANT');
const [transport, handler] = variant.split('-') as ['ours' | 'stock' | 'client', 'noop' | 'insert'];
const topic = env('BENCH_TOPIC');
const count = Number(env('BENCH_COUNT'));
const schema = env('BENCH_SCHEMA');
const brokers = env('KAFKA_BROKERS');
const databaseUrl = env('DATABASE_URL');

/** The benchmark's event: purchase recorded's shape and rules, on a topic of the run's own. */
export const benchEvent = (name: string): EventDefinition<PurchaseRecordedV1> => ({
  ...PurchaseRecorded,
  type: 'crm.bench.purchase-recorded.v1',
  topic: name as TopicName,
  description: 'Benchmark-only copy of purchase recorded.',
});
const BenchRecorded = benchEvent(topic);

let handled = 0;
let firstAt = 0;
let cpuAtFirst: NodeJS.CpuUsage | undefined;
function seen(): void {
  if (handled === 0) {
    firstAt = performance.now();
    cpuAtFirst = process.cpuUsage();
  }
  handled += 1;
  if (handled === count) {
    const cpu = process.cpuUsage(cpuAtFirst);
    process.stdout.write(
      `${JSON.stringify({ variant, handled, ms: performance.now() - firstAt, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
    );
    setTimeout(() => process.exit(0), 200);
  }
}

class BenchTables1732500000002 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE bench_effects (event_id text PRIMARY KEY, order_id text NOT NULL)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE bench_effects');
  }
}

@Controller()
class OursConsumer {
  @EventPattern(BenchRecorded.type)
  async on(@Payload() event: EventEnvelope<PurchaseRecordedV1>, @Ctx() context: EventContext): Promise<void> {
    // Inside the transport's transaction: the effect and the inbox row commit together (exactly once).
    if (handler === 'insert')
      await context.manager.query('INSERT INTO bench_effects (event_id, order_id) VALUES ($1, $2)', [
        event.id,
        event.data.orderId,
      ]);
    seen();
  }
}

const pool =
  handler === 'insert' && transport === 'stock'
    ? new Pool({ connectionString: databaseUrl, max: 5 })
    : undefined;

@Controller()
class StockConsumer {
  @EventPattern(topic)
  async on(@Payload() value: PurchaseRecordedV1 & { orderId: string }): Promise<void> {
    // Autocommitted, no inbox: a redelivered record would insert again (the primary key refuses it here).
    if (pool)
      await pool.query(
        `INSERT INTO "${schema}".bench_effects (event_id, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [`${value.orderId}`, value.orderId],
      );
    seen();
  }
}

function oursModule(): DynamicModule {
  return {
    module: class OursBenchModule {},
    imports: [
      TypeOrmModule.forRootAsync({
        useFactory: () =>
          serviceDataSourceOptions({
            url: databaseUrl,
            schema,
            entities: [],
            migrations: [...MESSAGING_MIGRATIONS, BenchTables1732500000002],
            poolSize: 5,
          }),
        dataSourceFactory: (options) => initialiseServiceDataSource(options!),
      }),
      MessagingModule.forRootAsync({
        useFactory: () => ({
          serviceName: 'bench-transport',
          brokers,
          schema,
          databaseUrl,
          relay: { enabled: false },
        }),
      }),
    ],
    controllers: [OursConsumer],
  };
}

@Module({ controllers: [StockConsumer] })
class StockBenchModule {}

/** kafkajs alone: the same client the transports use, fetching from the start and counting records. */
async function clientOnly(group: string): Promise<void> {
  if (handler !== 'noop') throw new Error('the client variant has no handler to run: use client-noop');
  const consumer = new Kafka({
    clientId: group,
    brokers: brokers.split(','),
    logLevel: logLevel.ERROR,
  }).consumer({
    groupId: group,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachBatch: async ({ batch }) => {
      for (let i = 0; i < batch.messages.length; i += 1) seen();
    },
  });
}

async function main(): Promise<void> {
  const group = `bench-${variant}-${Date.now()}`;
  if (transport === 'client') {
    await clientOnly(group);
  } else if (transport === 'ours') {
    const app = await NestFactory.create(oursModule(), { logger: ['error'] });
    const server = new KafkaEventTransport({
      brokers,
      clientId: group,
      consumerGroup: group,
      dataSource: app.get(DataSource),
      outbox: app.get(OutboxPublisher),
      registry: new EventRegistry([...EVENT_CATALOG, BenchRecorded]),
    });
    app
      .connectMicroservice({ strategy: server }, { deferInitialization: true })
      .useGlobalFilters(new EventErrorPassthroughFilter());
    await app.init();
    await app.startAllMicroservices();
  } else {
    if (pool) {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await pool.query(
        `CREATE TABLE IF NOT EXISTS "${schema}".bench_effects (event_id text PRIMARY KEY, order_id text NOT NULL)`,
      );
    }
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(StockBenchModule, {
      logger: ['error'],
      transport: Transport.KAFKA,
      options: {
        client: { clientId: group, brokers: brokers.split(',') },
        consumer: { groupId: group },
        subscribe: { fromBeginning: true },
        run: { autoCommit: true },
      },
    });
    await app.listen();
  }
  process.stdout.write('READY\n');
}

main().catch((error: Error) => {
  process.stderr.write(`bench consumer ${variant} failed: ${error.stack}\n`);
  process.exit(1);
});
