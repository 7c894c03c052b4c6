/**
 * Drives purchases at a set rate through the running platform (`npm start`) and measures the whole cascade:
 * purchase (REST) → customer-profile → tagging (re-score: high-value) → growth-campaigns (exclusive advisor).
 * Also prints the tagging handler's database time per purchase and, for scale, a raw kafkajs produce loop and
 * a raw Postgres insert loop on the same machine in the same run.
 *
 *   npm run bench:cascade -- --purchases 1000 --rate 50
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { SERVICE_CATALOG, Topics } from '@crm/contracts';
// Loads the platform's Kafka client module, which patches kafkajs's idle 1 ms timer in this process too.
import '@crm/messaging';
import { cpuSpent, platformCpu, serviceRss, slope, type PlatformCpu } from '../process-cpu';
import { argument, benchToken, percentile, summary } from '../stats';

const purchases = Number(argument('purchases', '1000'));
const rate = Number(argument('rate', '50'));
const brokers = argument('brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
const databaseUrl = argument(
  'database-url',
  process.env.DATABASE_URL ?? 'postgres://postgres:crm-local@127.0.0.1:54329/crm',
);
const profileUrl = argument('profile-url', 'http://127.0.0.1:3101/profile');
/** The embedded Postgres of `npm start`, whose processes are counted in CPU per purchase. */
const pgDataDir = argument('pg-data', '.local/pg');
const taggingMetricsUrl = argument('tagging-metrics-url', 'http://127.0.0.1:3102/metrics');
const token = benchToken();
const run = randomUUID().slice(0, 8);

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const started = performance.now();
  const response = await fetch(`${profileUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { id: string };
  if (response.status >= 300) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(json)}`);
  return { json, ms: performance.now() - started };
}

async function handlerSeconds(): Promise<{
  sum: number;
  count: number;
  rescoreSum: number;
  rescoreCount: number;
}> {
  const text = await (await fetch(taggingMetricsUrl)).text();
  const pick = (metric: string, suffix: string, label: string) =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`${metric}_${suffix}{`) && l.includes(label))
        ?.split(' ')
        .pop() ?? 0,
    );
  const handler = 'crm_event_handler_duration_seconds';
  const rescore = 'crm_tagging_rescore_seconds';
  return {
    sum: pick(handler, 'sum', 'crm.purchase.recorded.v1'),
    count: pick(handler, 'count', 'crm.purchase.recorded.v1'),
    rescoreSum: pick(rescore, 'sum', 'path="event"'),
    rescoreCount: pick(rescore, 'count', 'path="event"'),
  };
}

async function rawKafkaFloor(n: number): Promise<string> {
  const producer = new Kafka({
    clientId: 'bench-floor',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = performance.now();
  const latencies: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await producer.send({
      topic: 'crm.bench.floor',
      acks: -1,
      messages: [{ key: String(i % 100), value: 'x'.repeat(500) }],
    });
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return `${(n / seconds).toFixed(0)} msg/s one at a time (acks=all), ${summary(latencies)}`;
}

async function rawPostgresFloor(n: number): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('CREATE TEMP TABLE bench_floor (id bigserial primary key, payload text)');
  const started = performance.now();
  const latencies: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await client.query('BEGIN');
    await client.query('INSERT INTO bench_floor (payload) VALUES ($1)', ['x'.repeat(500)]);
    await client.query('COMMIT');
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return `${(n / seconds).toFixed(0)} commits/s one at a time, ${summary(latencies)}`;
}

/** Registrations tagging has processed so far (its Prometheus counter). */
async function registrationsProcessed(): Promise<number> {
  const text = await (await fetch(taggingMetricsUrl)).text();
  return text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('crm_events_consumed_total{') &&
        l.includes('event_type="crm.customer.registered.v1"') &&
        l.includes('outcome="processed"'),
    )
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/** Records on every platform topic so far (the sum of the partitions' end offsets). */
async function kafkaRecords(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith('crm.') && t !== 'crm.bench.floor');
    let total = 0;
    for (const topic of topics)
      for (const partition of await admin.fetchTopicOffsets(topic)) total += Number(partition.high);
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** A short-lived connection to the platform's database for `work`. */
async function withDatabase<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Committed and rolled-back transactions of the platform's database so far. */
function databaseTransactions(): Promise<number> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<{ n: string }>(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0].n);
  });
}

/** Starts counting statements afresh, when the server has pg_stat_statements loaded (the local one does). */
function resetStatements(): Promise<boolean> {
  return withDatabase(async (client) => {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await client.query('SELECT pg_stat_statements_reset()');
      return true;
    } catch {
      return false;
    }
  });
}

/** The statements run most often since the reset, per purchase, with their execution time. */
function topStatements(n: number, limit = 15): Promise<string[]> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<{ calls: string; ms: number; query: string }>(
      `SELECT s.calls, s.total_exec_time AS ms, regexp_replace(s.query, '\\s+', ' ', 'g') AS query
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'
        ORDER BY s.calls DESC LIMIT $1`,
      [limit],
    );
    const total = await client.query<{ calls: string }>(
      `SELECT sum(calls) AS calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database()`,
    );
    return [
      `  statements per purchase: ${(Number(total.rows[0].calls) / n).toFixed(1)}; the most frequent (calls per purchase, ms per call):`,
      ...rows.map(
        (r) =>
          `    ${(Number(r.calls) / n).toFixed(2).padStart(6)}  ${(r.ms / Number(r.calls)).toFixed(3).padStart(7)}  ${r.query.slice(0, 110)}`,
      ),
    ];
  });
}

interface CostSnapshot {
  cpu: PlatformCpu;
  records: number;
  transactions: number;
}

async function costSnapshot(kafka: Kafka): Promise<CostSnapshot> {
  return {
    cpu: platformCpu(pgDataDir),
    records: await kafkaRecords(kafka),
    transactions: await databaseTransactions(),
  };
}

/** What each purchase cost the whole platform: CPU of every process, Kafka records, database transactions. */
/** CPU milliseconds per purchase of the whole platform (services, Kafka and Postgres) between two snapshots. */
function cpuPerPurchase(before: CostSnapshot, after: CostSnapshot, n: number): number {
  return (['services', 'kafka', 'postgres'] as const).reduce(
    (sum, part) => sum + ((after.cpu[part] - before.cpu[part]) * 1000) / n,
    0,
  );
}

/**
 * Issue 11's targets 2 and 3 beside this run's figures. Target 2 halves the CPU per purchase measured at
 * 10/s before the performance work (141 ms, commit 4fb0c58, bench/README); target 3 is p99 at most 100 ms
 * at 10/s, and at least 100 purchases/s sustained with p99 under 1 s.
 */
function targetLines(run: {
  cpuMs: number;
  rate: number;
  acceptedPerSecond: number;
  completed: number;
  purchases: number;
  p99: number;
}): string[] {
  const verdict = (met: boolean) => (met ? 'met' : 'not met');
  const atTen = run.rate === 10 ? '' : ` (this run at ${run.rate}/s; the target is at 10/s)`;
  const allCompleted = run.completed === run.purchases;
  return [
    `  target 2, CPU per purchase: ${run.cpuMs.toFixed(1)} ms, at most 70.5 ms (half of 141 ms)${atTen}: ${verdict(run.rate === 10 && run.cpuMs <= 70.5)}`,
    `  target 3, p99 purchase → care action: ${run.p99.toFixed(0)} ms, at most 100 ms at 10/s${atTen}: ${verdict(run.rate === 10 && allCompleted && run.p99 <= 100)}`,
    `  target 3, sustained: ${run.acceptedPerSecond.toFixed(1)} purchases/s accepted, ${run.completed}/${run.purchases} cascades, p99 ${run.p99.toFixed(0)} ms; at least 100/s with p99 under 1 s: ${run.rate < 100 ? `not tried by this run (--rate 100 tries it)` : verdict(run.acceptedPerSecond >= 100 && allCompleted && run.p99 < 1000)}`,
  ];
}

function costPerPurchase(before: CostSnapshot, after: CostSnapshot, n: number): string[] {
  const spent = cpuSpent(before.cpu, after.cpu, pgDataDir);
  const ms = (part: 'services' | 'kafka' | 'kafkaJit' | 'postgres') => (spent[part] * 1000) / n;
  const total = cpuPerPurchase(before, after, n);
  const missing = spent.missing;
  const perService = spent.byService
    .map(([name, seconds]) => `${name} ${((seconds * 1000) / n).toFixed(1)}`)
    .join(', ');
  return [
    `  CPU per purchase, whole platform: ${total.toFixed(1)} ms (services ${ms('services').toFixed(1)}, Kafka ${ms('kafka').toFixed(1)} of which its JIT compiler ${ms('kafkaJit').toFixed(1)}, Postgres ${ms('postgres').toFixed(1)})${missing.length ? ` [${missing.join('; ')}]` : ''}`,
    `  service CPU per purchase by service (ms): ${perService}`,
    `  per purchase: ${((after.records - before.records) / n).toFixed(1)} Kafka records, ${((after.transactions - before.transactions) / n).toFixed(1)} database transactions`,
  ];
}

/** Each service's V8 heap in use (MiB), read from its own `/metrics`; services that do not answer are left out. */
async function serviceHeaps(): Promise<Map<string, number>> {
  const heaps = new Map<string, number>();
  await Promise.all(
    SERVICE_CATALOG.map(async (service) => {
      const text = await fetch(`http://127.0.0.1:${service.port}/metrics`, {
        signal: AbortSignal.timeout(2000),
      })
        .then((response) => (response.ok ? response.text() : ''))
        .catch(() => '');
      const line = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text);
      if (line) heaps.set(service.name, Number(line[1]) / 2 ** 20);
    }),
  );
  return heaps;
}

interface MemorySample {
  minutes: number;
  rss: Map<string, number>;
  heap: Map<string, number>;
}

/**
 * Samples every service's RSS and V8 heap in use every 10 s while the load runs; reports start, peak, end,
 * the trend of the second half and the floor of each half. The heap's floor (its low points come right after
 * a collection) is what a leak raises; RSS can also grow while the heap holds steady (V8 keeping freed pages,
 * the allocator's arenas).
 */
function sampleMemory(): () => Promise<string[]> {
  const started = Date.now();
  const samples: MemorySample[] = [];
  const sample = async () =>
    samples.push({ minutes: (Date.now() - started) / 60_000, rss: serviceRss(), heap: await serviceHeaps() });
  void sample();
  const timer = setInterval(() => void sample(), 10_000);
  return async () => {
    clearInterval(timer);
    await sample();
    samples.sort((a, b) => a.minutes - b.minutes);
    const names = [...samples[0].rss.keys()].sort();
    const minutes = samples[samples.length - 1].minutes;
    // The second half of the run, after warm-up (caches, JIT, pools) has settled.
    const second = samples.filter((s) => s.minutes >= minutes / 2);
    const first = samples.filter((s) => s.minutes < minutes / 2);
    const mib = (n: number) => n.toFixed(0).padStart(5);
    const report = (name: string, of: (s: MemorySample) => number | undefined) => {
      const list = (part: MemorySample[]) => part.map(of).filter((v): v is number => v !== undefined);
      const values = list(samples);
      if (values.length === 0) return `${'-'.padStart(5)} (no samples)`;
      const points = second.flatMap((s) =>
        of(s) === undefined ? [] : [[s.minutes, of(s)!] as [number, number]],
      );
      const trend = slope(points);
      const floor = (part: MemorySample[]) => (list(part).length ? Math.min(...list(part)).toFixed(0) : '-');
      return `${mib(values[0])} ${mib(Math.max(...values))} ${mib(values[values.length - 1])}   ${trend >= 0 ? '+' : ''}${trend.toFixed(2)} MiB/min   floor ${floor(first)} → ${floor(second)}`;
    };
    return [
      `  service memory (MiB) over ${minutes.toFixed(1)} min, ${samples.length} samples: start, peak, end;` +
        ' trend of the second half; lowest of each half (the floor a leak would raise)',
      ...names.flatMap((name) => [
        `    ${name.padEnd(18)} RSS  ${report(name, (s) => s.rss.get(name))}`,
        // The console is not in the service catalog: its heap is not read.
        ...(samples.some((s) => s.heap.has(name))
          ? [`    ${''.padEnd(18)} heap ${report(name, (s) => s.heap.get(name))}`]
          : []),
      ]),
    ];
  };
}

async function main(): Promise<void> {
  process.stdout.write(`command: npm run bench:cascade -- --purchases ${purchases} --rate ${rate}\n`);
  process.stdout.write(
    `machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
  );
  const kafka = new Kafka({
    clientId: 'bench-observer',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin
    .createTopics({ topics: [{ topic: 'crm.bench.floor', numPartitions: 6 }] })
    .catch(() => undefined);
  await admin.disconnect();

  const registrationsBefore = await registrationsProcessed();
  process.stdout.write(`registering ${purchases} customers (a two-year relationship each)...\n`);
  const customers: string[] = [];
  const relationshipStartedAt = new Date(Date.now() - 730 * 24 * 3600 * 1000).toISOString();
  for (let i = 0; i < purchases; i += 1) {
    const { json } = await post('/customers', {
      externalRef: `BENCH-${run}-${i}`,
      kind: 'company',
      name: `Bench ${i}`,
      relationshipStartedAt,
    });
    customers.push(json.id);
    if ((i + 1) % 200 === 0) process.stdout.write(`  ${i + 1}/${purchases}\n`);
  }

  // Purchases are measured on a settled platform, not behind the registration cascade still in flight.
  process.stdout.write('waiting for tagging to process the registrations...\n');
  const settleBy = Date.now() + 300_000;
  while ((await registrationsProcessed()) - registrationsBefore < purchases && Date.now() < settleBy)
    await sleep(500);
  await sleep(2000);

  const sentAt = new Map<string, number>();
  const cascadeMs: number[] = [];
  // Long poll: a fetch answers as soon as a care action arrives; a short wait would only load the broker.
  const consumer = kafka.consumer({ groupId: `bench-${run}`, maxWaitTimeInMs: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.careActions, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const correlation = message.headers?.correlationid?.toString() ?? '';
      const value = JSON.parse(message.value?.toString() ?? '{}');
      const started = sentAt.get(correlation);
      if (started !== undefined && value.playbook === 'exclusive-advisor') {
        cascadeMs.push(Date.now() - started);
        sentAt.delete(correlation);
      }
    },
  });
  await sleep(3000);

  const before = await handlerSeconds();
  const costBefore = await costSnapshot(kafka);
  const statementsCounted = await resetStatements();
  const memory = sampleMemory();
  process.stdout.write(`driving ${purchases} purchases of 120,000 at ${rate}/s...\n`);
  const httpMs: number[] = [];
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  // A purchase the service did not accept (refused, or not answered in time on a saturated machine) is
  // counted and reported, not left to end the run with a stack trace; costs are per purchase accepted.
  const refused: string[] = [];
  for (let i = 0; i < purchases; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const correlationId = `bench-${run}-${i}`;
    sentAt.set(correlationId, Date.now());
    const order = {
      orderId: `BENCH-${run}-${i}`,
      amount: 120000,
      currency: 'EUR',
      occurredAt: new Date().toISOString(),
      items: [{ sku: 'PUMP-200', category: 'pumps', quantity: 4, unitPrice: 30000 }],
    };
    inFlight.push(
      post(`/customers/${customers[i]}/purchases`, order, { 'x-correlation-id': correlationId }).then(
        (r) => void httpMs.push(r.ms),
        (error: Error) => {
          sentAt.delete(correlationId);
          const cause = (error.cause as Error | undefined)?.message;
          refused.push(cause ? `${error.message} (${cause})` : error.message);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const driveSeconds = (performance.now() - started) / 1000;
  const accepted = purchases - refused.length;
  const deadline = Date.now() + 120_000;
  while (cascadeMs.length < accepted && Date.now() < deadline) await sleep(100);
  const cascadeSeconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  // The rest of the cascade (interaction log, referral, feedback) settles shortly after the care action.
  await sleep(3000);
  const costAfter = await costSnapshot(kafka);
  const memoryLines = await memory();
  const after = await handlerSeconds();
  const handlerCount = after.count - before.count;

  process.stdout.write('\nresults\n');
  process.stdout.write(
    `  purchases accepted:  ${accepted} in ${driveSeconds.toFixed(1)} s = ${(accepted / driveSeconds).toFixed(1)}/s (target rate ${rate}/s)\n`,
  );
  if (refused.length > 0)
    process.stdout.write(
      `  purchases not accepted: ${refused.length}/${purchases} (first: ${refused[0]}); they count as cascades not completed\n`,
    );
  process.stdout.write(
    `  cascades completed:  ${cascadeMs.length}/${purchases} in ${cascadeSeconds.toFixed(1)} s\n`,
  );
  process.stdout.write(`  purchase → care action (exclusive advisor, via tagging): ${summary(cascadeMs)}\n`);
  process.stdout.write(`  POST /purchases (HTTP): ${summary(httpMs)}\n`);
  if (handlerCount > 0)
    process.stdout.write(
      `  tagging purchase handler transaction: ${(((after.sum - before.sum) / handlerCount) * 1000).toFixed(2)} ms mean over ${handlerCount}\n`,
    );
  const rescores = after.rescoreCount - before.rescoreCount;
  if (rescores > 0)
    process.stdout.write(
      `  of which re-scoring (facts, classification, writes, events, segments): ${(((after.rescoreSum - before.rescoreSum) / rescores) * 1000).toFixed(2)} ms mean over ${rescores}\n`,
    );
  for (const line of costPerPurchase(costBefore, costAfter, accepted)) process.stdout.write(`${line}\n`);
  for (const line of memoryLines) process.stdout.write(`${line}\n`);
  if (statementsCounted) for (const line of await topStatements(accepted)) process.stdout.write(`${line}\n`);
  else process.stdout.write('  (statements per purchase: pg_stat_statements is not loaded on this server)\n');
  process.stdout.write('\ntargets (issue 11)\n');
  const sortedCascades = [...cascadeMs].sort((a, b) => a - b);
  for (const line of targetLines({
    cpuMs: cpuPerPurchase(costBefore, costAfter, accepted),
    rate,
    acceptedPerSecond: accepted / driveSeconds,
    completed: cascadeMs.length,
    purchases,
    p99: percentile(sortedCascades, 99),
  }))
    process.stdout.write(`${line}\n`);
  process.stdout.write('\nfloors on this machine, same run\n');
  process.stdout.write(`  raw kafkajs produce:      ${await rawKafkaFloor(2000)}\n`);
  process.stdout.write(`  raw Postgres insert+commit: ${await rawPostgresFloor(2000)}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
