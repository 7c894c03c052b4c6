/**
 * This platform's Kafka transport against Nest's stock one (`ServerKafka`, `Transport.KAFKA`): the same
 * handler (a no-op, and one that inserts a row), the same broker and database, the same records, one run.
 * Each consumer runs in a process of its own from the start of the topic; the figures are messages per second
 * and CPU per message of that process, from its first message to its last.
 *
 *   npm start                          # shell 1 (or KAFKA_BROKERS and DATABASE_URL of your own)
 *   npm run bench:transport -- --messages 20000 --customers 500
 *
 * What "ours" does beyond the stock transport for each record: CloudEvents headers decoded, the payload
 * validated against its contract, the inbox (exactly once) and the handler's writes in one transaction per
 * run of a partition, retries and dead letters. The stock transport parses JSON and calls the handler;
 * its offsets are committed automatically whatever the handler did (at most once / at least once).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { toWireHeaders } from '@crm/contracts';
import '@crm/messaging'; // patches kafkajs's idle timer in this process too
import { workspaceRoot } from '@crm/local-infra';
import { argument } from '../stats';

const brokers = argument('brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
const databaseUrl = argument(
  'database-url',
  process.env.DATABASE_URL ?? 'postgres://postgres:crm-local@127.0.0.1:54329/crm',
);
const messages = Number(argument('messages', '20000'));
const customers = Number(argument('customers', '500'));
const partitions = Number(argument('partitions', '6'));
const variants = argument('variants', 'client-noop,stock-noop,ours-noop,stock-insert,ours-insert').split(',');
const run = Date.now().toString(36);
const topic = `crm.bench.transport-${run}.v1`;

interface Result {
  variant: string;
  handled: number;
  ms: number;
  cpuMs: number;
}

async function produce(): Promise<void> {
  const kafka = new Kafka({
    clientId: 'bench-transport',
    brokers: brokers.split(','),
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const started = performance.now();
  const now = new Date().toISOString();
  for (let sent = 0; sent < messages; sent += 1000) {
    const batch = [];
    for (let i = sent; i < Math.min(sent + 1000, messages); i += 1) {
      const customerId = `00000000-0000-4000-8000-${(i % customers).toString(16).padStart(12, '0')}`;
      const seq = Math.floor(i / customers) + 1;
      const data = {
        customerId,
        orderId: `bench-${run}-${i}`,
        amount: seq,
        currency: 'EUR',
        occurredAt: now,
        firstPurchase: seq === 1,
        items: [{ sku: 'SKU-1', category: 'bench', quantity: 1, unitPrice: seq }],
        aggregates: {
          lifetimeSpend: seq,
          trailing12mSpend: seq,
          trailing12mPurchaseCount: seq,
          lifetimePurchaseCount: seq,
          firstPurchaseAt: now,
          lastPurchaseAt: now,
        },
      };
      batch.push({
        key: customerId,
        value: JSON.stringify(data),
        headers: toWireHeaders({
          id: randomUUID(),
          type: 'crm.bench.purchase-recorded.v1',
          source: '/crm/bench',
          time: now,
          subject: customerId,
          correlationId: `bench-${run}-${i}`,
        }),
      });
    }
    await producer.send({ topic, acks: -1, messages: batch });
  }
  await producer.disconnect();
  process.stdout.write(
    `produced ${messages} records on ${topic} (${partitions} partitions, ${customers} keys) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

function consume(variant: string): Promise<Result> {
  const root = workspaceRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', join(root, 'tools/dist-paths.cjs'), join(root, 'dist/bench/transport/consumer.js')],
      {
        cwd: root,
        env: {
          ...process.env,
          BENCH_VARIANT: variant,
          BENCH_TOPIC: topic,
          BENCH_COUNT: String(messages),
          BENCH_SCHEMA: `bench_transport_${run}_${variant.replace('-', '_')}`,
          KAFKA_BROKERS: brokers,
          DATABASE_URL: databaseUrl,
          LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return reject(new Error(`${variant} exited ${code} without a result:\n${err.slice(-2000)}`));
      resolve(JSON.parse(line) as Result);
    });
  });
}

async function effects(variant: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const schema = `bench_transport_${run}_${variant.replace('-', '_')}`;
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".bench_effects`,
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  process.stdout.write(`$ npm run bench:transport -- ${process.argv.slice(2).join(' ')}\n`);
  await produce();
  const results = new Map<string, Result>();
  for (const variant of variants) {
    process.stdout.write(`consuming with ${variant}...\n`);
    const result = await consume(variant);
    results.set(variant, result);
    const rate = (result.handled / result.ms) * 1000;
    const extra = variant.endsWith('insert') ? `, ${await effects(variant)} rows written` : '';
    process.stdout.write(
      `  ${variant.padEnd(13)} ${rate.toFixed(0).padStart(7)} messages/s  ${((result.cpuMs * 1000) / result.handled).toFixed(0).padStart(5)} µs CPU per message${extra}\n`,
    );
  }
  for (const handler of ['noop', 'insert']) {
    const ours = results.get(`ours-${handler}`);
    const stock = results.get(`stock-${handler}`);
    if (!ours || !stock) continue;
    const rate = (r: Result) => r.handled / r.ms;
    const cpu = (r: Result) => r.cpuMs / r.handled;
    process.stdout.write(
      `${handler}: ours/stock throughput ${(rate(ours) / rate(stock)).toFixed(2)}x, CPU per message ${(cpu(ours) / cpu(stock)).toFixed(2)}x (target: throughput at least 3x)\n`,
    );
  }
  // The floor of the no-op comparison: a transport on kafkajs cannot consume faster than kafkajs itself.
  const client = results.get('client-noop');
  const stockNoop = results.get('stock-noop');
  if (client && stockNoop) {
    const ceiling = (client.handled / client.ms) * 1000;
    const needed = (3 * stockNoop.handled * 1000) / stockNoop.ms;
    process.stdout.write(
      `no-op ceiling: kafkajs alone ${ceiling.toFixed(0)} messages/s (${((client.cpuMs * 1000) / client.handled).toFixed(0)} µs CPU per message), ` +
        `the stock no-op reaches ${((100 * needed) / 3 / ceiling).toFixed(0)} % of it; 3x the stock no-op is ${needed.toFixed(0)} messages/s, ` +
        `${needed > ceiling ? 'above what the client itself reaches' : 'within what the client reaches'}\n`,
    );
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
