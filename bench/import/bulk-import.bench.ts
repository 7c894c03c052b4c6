import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { insertMany, type BulkColumnType } from '@crm/persistence';
import { platformConsumerLag, residentBytes, untilConsumersCaughtUp } from '@crm/testing';
import { argument, benchToken } from '../stats';
import { cpuSpent, platformCpu, type PlatformCpu } from '../process-cpu';

/**
 * Bulk import of a generated archive into a running platform (`npm start`): customers, then order lines,
 * streamed through `POST /profile/imports/:kind` as `npm run import` does. Prints rows per second for each
 * file against the targets (2,000 customers/s, 10,000 order lines/s), customer-profile's peak RSS meanwhile,
 * how long the cascade downstream (every consumer group of the platform) takes to settle afterwards, and the
 * CPU the whole platform (services, Kafka, Postgres) spent from the start of the import until it settled.
 * Then the floor, in the same run: the same rows written plainly into a scratch schema of the same Postgres
 * once the cascade has settled, and each rate as a share of it (`--floor no` skips it; `--database-url` names
 * the Postgres).
 */
const customers = Number(argument('customers', '100000'));
const orderLines = Number(argument('lines', '1000000'));
const profileUrl = argument('profile-url', 'http://127.0.0.1:3101/profile');
const brokers = argument('brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
const settleLimitS = Number(argument('settle-limit', '1800'));
const pgDataDir = argument('pg-data', '.local/pg');
const databaseUrl = argument(
  'database-url',
  process.env.DATABASE_URL ?? 'postgres://postgres:crm-local@127.0.0.1:54329/crm',
);
/** Rows per transaction in the floor: customer-profile's own batch (`IMPORT_BATCH_ROWS`, 1,000 by default). */
const batchRows = Number(argument('batch-rows', process.env.IMPORT_BATCH_ROWS ?? '1000'));
const folder = argument('folder', join('.local', 'bench', `import-${customers}-${orderLines}`));
const metricsUrl = `${profileUrl.replace(/\/profile$/, '')}/metrics`;
const token = benchToken();
const MiB = 1024 * 1024;
const DAY = 86_400_000;
const say = (text: string) => process.stdout.write(`${text}\n`);

/** A deterministic number in [0, 1) from a row number and a salt. */
function unit(n: number, salt: number): number {
  const x = Math.sin(n * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

async function writeLines(path: string, lines: () => Generator<string>): Promise<void> {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  for (const line of lines()) if (!out.write(line)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  renameSync(partial, path);
}

/** A customer row of the run's archive, in the CSV's column order. */
const CUSTOMER_COLUMNS = [
  'externalRef',
  'kind',
  'name',
  'industry',
  'email',
  'phone',
  'registeredAt',
  'owner',
  'needTags',
  'consents',
] as const;
const LINE_COLUMNS = [
  'externalRef',
  'orderId',
  'occurredAt',
  'currency',
  'sku',
  'category',
  'quantity',
  'unitPrice',
] as const;

/** The archive's customers, each as its CSV fields (the same rows for the import and the floor). */
function* customerRows(run: string, now: number): Generator<string[]> {
  for (let i = 0; i < customers; i++) {
    const company = unit(i, 1) < 0.6;
    const registered = new Date(now - (60 + Math.floor(unit(i, 2) * 900)) * DAY).toISOString();
    yield [
      `B${run}${i}`,
      company ? 'company' : 'person',
      company ? `Bench ${i} Co., Ltd.` : `Bench Person ${i}`,
      company ? 'manufacturing' : '',
      `b${run}-${i}@example.test`,
      `+4930${String(1000000 + i)}`,
      registered,
      `am-${i % 50}`,
      unit(i, 3) < 0.3 ? 'cost reduction;automation' : '',
      'email:marketing',
    ];
  }
}

/** The archive's order lines: each customer's lines, spread over orders of 1-4 lines in their first 700 days. */
function* orderLineRows(run: string, now: number): Generator<string[]> {
  let written = 0;
  let order = 0;
  const perCustomer = orderLines / customers;
  for (let i = 0; i < customers && written < orderLines; i++) {
    const lines = Math.max(1, Math.round(perCustomer * (0.5 + unit(i, 4))));
    let left = Math.min(lines, orderLines - written);
    while (left > 0) {
      const size = Math.min(left, 1 + Math.floor(unit(order, 5) * 4));
      const at = new Date(now - (2 + Math.floor(unit(order, 6) * 700)) * DAY).toISOString();
      for (let l = 0; l < size; l++)
        yield [
          `B${run}${i}`,
          `BO-${run}-${order}`,
          at,
          'EUR',
          `SKU-${(order + l) % 97}`,
          ['pumps', 'valves', 'tools'][l % 3],
          String(1 + (l % 3)),
          (100 + Math.floor(unit(order + l, 7) * 9000)).toFixed(2),
        ];
      order += 1;
      left -= size;
      written += size;
    }
  }
}

/** A CSV line: fields with a comma or a quote are quoted. */
function csvLine(fields: string[]): string {
  return `${fields.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')}\n`;
}

/** The run's archive, written into `folder` (external references and order ids carry the run's name). */
async function archive(run: string, now: number): Promise<{ customersCsv: string; purchasesCsv: string }> {
  mkdirSync(folder, { recursive: true });
  const customersCsv = join(folder, `customers-${run}.csv`);
  const purchasesCsv = join(folder, `purchases-${run}.csv`);
  await writeLines(customersCsv, function* () {
    yield `${CUSTOMER_COLUMNS.join(',')}\n`;
    for (const row of customerRows(run, now)) yield csvLine(row);
  });
  await writeLines(purchasesCsv, function* () {
    yield `${LINE_COLUMNS.join(',')}\n`;
    for (const row of orderLineRows(run, now)) yield csvLine(row);
  });
  return { customersCsv, purchasesCsv };
}

interface Report {
  summary?: Record<string, number | string>;
  errors: number;
  firstError?: Record<string, unknown>;
}

/** The CPU seconds each part of the platform spent between two readings, as lines to print. */
function cpuLines(before: PlatformCpu, after: PlatformCpu, rows: number): string[] {
  const { services, kafka, kafkaJit, postgres, byService, missing } = cpuSpent(before, after, pgDataDir);
  const total = services + kafka + postgres;
  const perService = byService.map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`).join(', ');
  return [
    `CPU of the whole platform over the import and its cascade: ${total.toFixed(1)} s ` +
      `(services ${services.toFixed(1)}, Kafka ${kafka.toFixed(1)} of which its JIT compiler ${kafkaJit.toFixed(1)}, Postgres ${postgres.toFixed(1)}), ` +
      `${((total * 1000) / Math.max(1, rows)).toFixed(2)} ms per row imported` +
      (missing.length ? ` (${missing.join('; ')})` : ''),
    `  by service: ${perService}`,
  ];
}

/**
 * The floor: the archive's own rows written plainly into a scratch schema of the same Postgres, after the
 * import and its cascade, in transactions of `batchRows` rows with the platform's bulk statement (`insertMany`),
 * into tables with a primary key and the external reference's index, no encryption, no outbox and no
 * events. What the database itself takes on this machine; the import's rate is read against it.
 */
async function floorRates(run: string, now: number): Promise<{ customers: number; lines: number }> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'bench-import-floor' });
  await client.connect();
  const schema = 'bench_import_floor';
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.customers (id uuid PRIMARY KEY, external_ref text NOT NULL UNIQUE, kind text,
        name text, industry text, email text, phone text, registered_at timestamptz, owner text,
        need_tags text, consents text);
      CREATE TABLE ${schema}.order_lines (order_id text NOT NULL, line int NOT NULL, external_ref text NOT NULL,
        occurred_at timestamptz, currency text, sku text, category text, quantity int, unit_price numeric,
        PRIMARY KEY (order_id, line));
      CREATE INDEX ON ${schema}.order_lines (external_ref);`);
    const write = async <T>(
      table: string,
      columns: Record<string, BulkColumnType>,
      rows: Iterable<T>,
      toRow: (row: T) => Record<string, unknown>,
    ): Promise<number> => {
      const started = Date.now();
      let batch: Record<string, unknown>[] = [];
      let count = 0;
      const flush = async () => {
        await client.query('BEGIN');
        await insertMany(client, `${schema}.${table}`, columns, batch);
        await client.query('COMMIT');
        count += batch.length;
        batch = [];
      };
      for (const row of rows) {
        batch.push(toRow(row));
        if (batch.length >= batchRows) await flush();
      }
      if (batch.length > 0) await flush();
      return count / Math.max(0.001, (Date.now() - started) / 1000);
    };
    const customerRate = await write(
      'customers',
      {
        id: 'uuid',
        external_ref: 'text',
        kind: 'text',
        name: 'text',
        industry: 'text',
        email: 'text',
        phone: 'text',
        registered_at: 'timestamptz',
        owner: 'text',
        need_tags: 'text',
        consents: 'text',
      },
      customerRows(run, now),
      (f) => ({
        id: randomUUID(),
        external_ref: f[0],
        kind: f[1],
        name: f[2],
        industry: f[3],
        email: f[4],
        phone: f[5],
        registered_at: f[6],
        owner: f[7],
        need_tags: f[8],
        consents: f[9],
      }),
    );
    let previousOrder = '';
    let line = 0;
    const lineRate = await write(
      'order_lines',
      {
        order_id: 'text',
        line: 'int',
        external_ref: 'text',
        occurred_at: 'timestamptz',
        currency: 'text',
        sku: 'text',
        category: 'text',
        quantity: 'int',
        unit_price: 'numeric',
      },
      orderLineRows(run, now),
      (f) => {
        line = f[1] === previousOrder ? line + 1 : 1;
        previousOrder = f[1];
        return {
          order_id: f[1],
          line,
          external_ref: f[0],
          occurred_at: f[2],
          currency: f[3],
          sku: f[4],
          category: f[5],
          quantity: f[6],
          unit_price: f[7],
        };
      },
    );
    return { customers: customerRate, lines: lineRate };
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
  }
}

/** Streams one file to the import route, sampling customer-profile's RSS; prints progress every 10 s. */
async function importFile(
  kind: 'customers' | 'purchases',
  file: string,
): Promise<Report & { seconds: number; peakRss: number }> {
  let peakRss = await residentBytes(metricsUrl);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRss = Math.max(peakRss, await residentBytes(metricsUrl).catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  const started = Date.now();
  const report: Report = { errors: 0 };
  try {
    const response = await fetch(`${profileUrl}/imports/${kind}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: ReadableStream.from(createReadStream(file)),
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    if (!response.ok || !response.body)
      throw new Error(`import refused (${response.status}): ${await response.text()}`);
    let buffered = '';
    let shown = Date.now();
    for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const text of lines.filter(Boolean)) {
        const line = JSON.parse(text) as Record<string, number | string>;
        if (line.type === 'error') {
          report.errors += 1;
          report.firstError ??= line;
        } else if (line.type === 'summary') report.summary = line;
        else if (line.type === 'progress' && Date.now() - shown > 10_000) {
          shown = Date.now();
          const seconds = (Date.now() - started) / 1000;
          say(
            `  ${kind}: ${line.records} rows in ${seconds.toFixed(0)} s (${Math.round(Number(line.records) / seconds)} rows/s)`,
          );
        }
      }
    }
  } finally {
    sampling = false;
    await sampler;
  }
  return { ...report, seconds: (Date.now() - started) / 1000, peakRss };
}

async function main(): Promise<void> {
  say(
    `command: npm run bench:import -- --customers ${customers} --lines ${orderLines} --profile-url ${profileUrl} --brokers ${brokers} --database-url ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`,
  );
  const run = argument('run', Date.now().toString(36).toUpperCase());
  const generating = Date.now();
  const { customersCsv, purchasesCsv } = await archive(run, generating);
  say(
    `archive ${run}: ${customers} customers (${(statSync(customersCsv).size / MiB).toFixed(1)} MiB), ${orderLines} order lines ` +
      `(${(statSync(purchasesCsv).size / MiB).toFixed(1)} MiB) in ${folder}, written in ${((Date.now() - generating) / 1000).toFixed(1)} s`,
  );
  say(`customer-profile RSS at rest: ${((await residentBytes(metricsUrl)) / MiB).toFixed(0)} MiB`);
  const results: string[] = [];
  const rates: Record<'customers' | 'purchases', number> = { customers: 0, purchases: 0 };
  const cpuBefore = platformCpu(pgDataDir);
  let rowsImported = 0;
  for (const [kind, file, target] of [
    ['customers', customersCsv, 2000],
    ['purchases', purchasesCsv, 10000],
  ] as const) {
    const result = await importFile(kind, file);
    const rows = Number(result.summary?.records ?? 0);
    const rate = rows / result.seconds;
    rowsImported += rows;
    rates[kind] = rate;
    const line =
      `${kind}: ${rows} rows in ${result.seconds.toFixed(1)} s = ${Math.round(rate)} rows/s (target ≥ ${target}: ${rate >= target ? 'met' : 'not met'}); ` +
      `imported ${String(result.summary?.imported)}, unchanged ${String(result.summary?.unchanged)}, failed ${String(result.summary?.failed)}; ` +
      `peak RSS ${(result.peakRss / MiB).toFixed(0)} MiB` +
      (result.firstError ? `; first error ${JSON.stringify(result.firstError)}` : '');
    say(line);
    results.push(line);
    if (!result.summary) throw new Error(`the ${kind} import ended without a summary`);
  }
  say(`cascade: ${await platformConsumerLag(brokers)} records not yet consumed when the import ended`);
  let shown = Date.now();
  let settledAt: number | undefined;
  try {
    const settled = await untilConsumersCaughtUp(brokers, {
      timeoutMs: settleLimitS * 1000,
      intervalMs: 2000,
      progress: (lag, seconds) => {
        if (Date.now() - shown < 15_000) return;
        shown = Date.now();
        say(`  cascade: ${lag} records behind after ${seconds.toFixed(0)} s`);
      },
    });
    settledAt = settled.seconds;
    const line = `cascade settled ${settled.seconds.toFixed(1)} s after the import ended (peak lag ${settled.peakLag} records)`;
    say(line);
    results.push(line);
  } catch (error) {
    say(`cascade: ${(error as Error).message}; stopped waiting`);
  }
  for (const line of cpuLines(cpuBefore, platformCpu(pgDataDir), rowsImported)) {
    say(line);
    results.push(line);
  }
  say(`customer-profile RSS after: ${((await residentBytes(metricsUrl)) / MiB).toFixed(0)} MiB`);
  if (argument('floor', 'yes') !== 'no') {
    // After the import and its cascade, so that its writes (and the checkpoint they bring) cost the import nothing.
    say(`floor: the same rows written plainly into a scratch schema, ${batchRows} rows per transaction...`);
    const floor = await floorRates(run, generating);
    const lines = [
      `floor (Postgres alone, the same rows, same machine, after the cascade${settledAt === undefined ? ' (which had not settled)' : ''}): ` +
        `${Math.round(floor.customers)} customers/s, ${Math.round(floor.lines)} order lines/s`,
      `  the import against it: customers ${((100 * rates.customers) / floor.customers).toFixed(0)} %, ` +
        `order lines ${((100 * rates.purchases) / floor.lines).toFixed(0)} %`,
    ];
    for (const line of lines) {
      say(line);
      results.push(line);
    }
  }
  say('summary:');
  for (const line of results) say(`  ${line}`);
  if (argument('keep', 'no') === 'no') {
    rmSync(customersCsv);
    rmSync(purchasesCsv);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench:import failed: ${error.message}\n`);
  process.exit(1);
});
