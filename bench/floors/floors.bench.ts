/**
 * What this machine itself can do, for reading every other figure against: Kafka's own performance tools
 * (ProducerPerformance and ConsumerPerformance from the pinned kafka-tools artifact, the classes behind
 * kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh) against the running broker, and a
 * pgbench-like TPC-B loop (no pgbench ships with the embedded Postgres) against the running database.
 *
 *   npm start                          # shell 1
 *   npm run bench:floors -- --records 200000 --seconds 10
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import '@crm/messaging'; // patches kafkajs's idle timer in this process too
import { pinnedKafkaVersion, resolveKafkaClasspath, workspaceRoot } from '@crm/local-infra';
import { argument } from '../stats';

const run = promisify(execFile);
const brokers = argument('brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
const databaseUrl = argument(
  'database-url',
  process.env.DATABASE_URL ?? 'postgres://postgres:crm-local@127.0.0.1:54329/crm',
);
const records = Number(argument('records', '200000'));
const recordSize = Number(argument('record-size', '500'));
const seconds = Number(argument('seconds', '10'));
const clients = Number(argument('clients', '2'));
const TOPIC = 'crm.bench.floor';

async function kafkaTool(mainClass: string, args: string[]): Promise<string> {
  const classpath = resolveKafkaClasspath(join(workspaceRoot(), '.local/cache'), (m) =>
    process.stderr.write(`${m}\n`),
  );
  const { stdout } = await run('java', ['-Xmx512m', '-cp', classpath, mainClass, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/** ProducerPerformance's summary line: records/s, MB/s and latencies, with acks=all and idempotence. */
async function producerFloor(): Promise<string> {
  const out = await kafkaTool('org.apache.kafka.tools.ProducerPerformance', [
    '--topic',
    TOPIC,
    '--num-records',
    String(records),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${brokers}`,
    'acks=all',
    'enable.idempotence=true',
  ]);
  return out.split('\n').pop() ?? out;
}

/** ConsumerPerformance over what the producer floor wrote: MB/s and records/s. */
async function consumerFloor(): Promise<string> {
  const out = await kafkaTool('org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server',
    brokers,
    '--topic',
    TOPIC,
    '--messages',
    String(records),
    '--group',
    `bench-floor-${Date.now()}`,
  ]);
  const [header, values] = out.split('\n').slice(-2);
  const fields = header.split(',').map((h) => h.trim());
  const row = values.split(',').map((v) => v.trim());
  const pick = (name: string) => row[fields.findIndex((f) => f.startsWith(name))];
  return `${pick('data.consumed.in.MB')} MB and ${pick('data.consumed.in.nMsg')} records in the consuming time: ${pick('MB.sec')} MB/s, ${pick('nMsg.sec')} records/s`;
}

/** pgbench's TPC-B transaction, `clients` connections for `seconds`: transactions per second. */
async function postgresFloor(): Promise<string> {
  const setup = new Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query(`CREATE SCHEMA IF NOT EXISTS bench_floor;
    DROP TABLE IF EXISTS bench_floor.accounts, bench_floor.branches, bench_floor.history;
    CREATE TABLE bench_floor.branches (bid int PRIMARY KEY, bbalance int NOT NULL);
    CREATE TABLE bench_floor.accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84));
    CREATE TABLE bench_floor.history (tid int, bid int, aid int, delta int, mtime timestamptz DEFAULT now(), filler char(22));
    INSERT INTO bench_floor.branches SELECT b, 0 FROM generate_series(1, 1) b;
    INSERT INTO bench_floor.accounts SELECT a, 1, 0, '' FROM generate_series(1, 100000) a;`);
  await setup.end();
  const deadline = Date.now() + seconds * 1000;
  const counts = await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      let done = 0;
      while (Date.now() < deadline) {
        const aid = 1 + Math.floor(Math.random() * 100000);
        const delta = Math.floor(Math.random() * 10001) - 5000;
        await client.query('BEGIN');
        await client.query('UPDATE bench_floor.accounts SET abalance = abalance + $1 WHERE aid = $2', [
          delta,
          aid,
        ]);
        await client.query('SELECT abalance FROM bench_floor.accounts WHERE aid = $1', [aid]);
        await client.query('UPDATE bench_floor.branches SET bbalance = bbalance + $1 WHERE bid = 1', [delta]);
        await client.query('INSERT INTO bench_floor.history (tid, bid, aid, delta) VALUES (1, 1, $1, $2)', [
          aid,
          delta,
        ]);
        await client.query('COMMIT');
        done += 1;
      }
      await client.end();
      return done;
    }),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  const cleanup = new Client({ connectionString: databaseUrl });
  await cleanup.connect();
  await cleanup.query('DROP SCHEMA bench_floor CASCADE');
  await cleanup.end();
  return `${(total / seconds).toFixed(0)} TPC-B transactions/s (${clients} clients, ${seconds} s, 6 statements each: ${((total * 6) / seconds).toFixed(0)} statements/s)`;
}

async function main(): Promise<void> {
  process.stdout.write(
    `command: npm run bench:floors -- --records ${records} --record-size ${recordSize} --seconds ${seconds} --clients ${clients}\n`,
  );
  const admin = new Kafka({
    clientId: 'bench-floors',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6 }] }).catch(() => undefined);
  await admin.disconnect();
  process.stderr.write(
    `Kafka ${pinnedKafkaVersion()} ProducerPerformance, ${records} records of ${recordSize} bytes...\n`,
  );
  process.stdout.write(`  Kafka producer (acks=all, idempotent): ${await producerFloor()}\n`);
  process.stderr.write('ConsumerPerformance...\n');
  process.stdout.write(`  Kafka consumer: ${await consumerFloor()}\n`);
  process.stderr.write('Postgres TPC-B loop...\n');
  process.stdout.write(`  Postgres: ${await postgresFloor()}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench:floors: ${error.message}\n`);
  process.exit(1);
});
