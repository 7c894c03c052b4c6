/**
 * Two statement shapes the platform writes in bulk, each against the one it replaced, on the same Postgres in
 * the same run (a schema of its own, dropped afterwards):
 *
 * - **bulk rows** (`insertMany`: the imports' customers and purchases, webhooks' kept events): one JSON
 *   document of rows read by `jsonb_array_elements`, against one array literal per column (the shape before
 *   2026-12-02, which node-pg escapes element by element and Postgres parses as array literals);
 * - **a sent outbox row**: deleted, against marked published (`UPDATE … SET published_at`, the relay before
 *   2026-12-02, still what it does when `OUTBOX_KEEP_PUBLISHED_HOURS` keeps a trail).
 *
 * - **a produced record's encoding**: kafkajs's encoder as it ships against the one `@crm/messaging` patches
 *   (an empty start, pooled growth), a record of a service's size with its ten headers.
 *
 * Prints, per row, the statements' time in Postgres (`pg_stat_statements`), the wall time and this client's
 * CPU. Each shape runs twice, alternating, so a table growing or a warming cache favours neither.
 *
 *   npm start                          # shell 1 (or DATABASE_URL=… for another Postgres)
 *   npm run bench:bulk-writes -- --batches 200 --rows 250
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { argument } from '../stats';

type EncodeRecord = (record: Record<string, unknown>) => { buffer: Buffer };
/* eslint-disable @typescript-eslint/no-require-imports -- the order of loading is the point here */
// kafkajs's record encoder as it ships, loaded before `@crm/messaging` patches the encoder it uses...
const shippedRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as EncodeRecord;
const ShippedEncoder = require('kafkajs/src/protocol/encoder') as new () => { buf: Buffer };
if (new ShippedEncoder().buf.length !== 512)
  throw new Error('kafkajs was patched before the bench loaded it');
for (const path of Object.keys(require.cache))
  if (path.includes('/kafkajs/src/protocol/')) delete require.cache[path];
// ...and a second copy, loaded after the patch.
const { insertMany } = require('@crm/persistence') as typeof import('@crm/persistence');
require('@crm/messaging');
const patchedRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as EncodeRecord;
/* eslint-enable @typescript-eslint/no-require-imports */

const databaseUrl = argument(
  'database-url',
  process.env.DATABASE_URL ?? 'postgres://postgres:crm-local@127.0.0.1:54329/crm',
);
const batches = Number(argument('batches', '200'));
const rowsPerBatch = Number(argument('rows', '250'));
const schema = `bench_bulk_${randomUUID().slice(0, 8)}`;
const say = (text: string) => process.stdout.write(`${text}\n`);

const EVENT_COLUMNS = {
  event_id: 'text',
  event_type: 'text',
  subject: 'text',
  occurred_at: 'timestamptz',
  source: 'text',
  correlation_id: 'text',
  payload: 'jsonb',
} as const;

/** A kept event as webhooks stores one: a purchase with two lines, quotes and all. */
function eventRow(): Record<keyof typeof EVENT_COLUMNS, unknown> {
  return {
    event_id: randomUUID(),
    event_type: 'crm.purchase.recorded.v1',
    subject: randomUUID(),
    occurred_at: new Date(Date.now() - Math.random() * 1e10).toISOString(),
    source: 'customer-profile',
    correlation_id: randomUUID(),
    payload: {
      customerId: randomUUID(),
      orderId: `BO-${Math.random().toString(36).slice(2)}`,
      amount: 1234.5,
      currency: 'EUR',
      items: [
        { sku: 'SKU-1', category: 'pumps', quantity: 2, unitPrice: 100.5 },
        { sku: 'SKU-2', category: 'valves "x", large', quantity: 1, unitPrice: 9 },
      ],
    },
  };
}

/** The statement `insertMany` sent before: one array literal per column, unnested. */
async function insertAsArrays(client: Client, table: string, rows: Array<Record<string, unknown>>) {
  const names = Object.keys(EVENT_COLUMNS) as Array<keyof typeof EVENT_COLUMNS>;
  await client.query(
    `INSERT INTO ${table} (${names.join(', ')})
     SELECT c0, c1, c2, c3, c4, c5, c6::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
         AS rows(c0, c1, c2, c3, c4, c5, c6) ON CONFLICT DO NOTHING`,
    names.map((name) => rows.map((row) => (name === 'payload' ? JSON.stringify(row[name]) : row[name]))),
  );
}

interface Measured {
  postgresUs: number;
  wallUs: number;
  clientUs: number;
}

/** Runs `work`, answering per row: Postgres's time for statements matching `like`, wall time, client CPU. */
async function measure(
  client: Client,
  like: string,
  rows: number,
  work: () => Promise<void>,
): Promise<Measured> {
  await client.query('SELECT public.pg_stat_statements_reset()');
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const { rows: stats } = await client.query<{ ms: number | null }>(
    `SELECT sum(total_exec_time)::float8 AS ms FROM public.pg_stat_statements WHERE query LIKE $1`,
    [like],
  );
  return {
    postgresUs: ((stats[0].ms ?? 0) * 1000) / rows,
    wallUs: (wallMs * 1000) / rows,
    clientUs: (used.user + used.system) / rows,
  };
}

const line = (name: string, m: Measured) =>
  `  ${name.padEnd(34)} Postgres ${m.postgresUs.toFixed(1).padStart(6)} µs/row, wall ${m.wallUs.toFixed(1).padStart(6)} µs/row, client CPU ${m.clientUs.toFixed(1).padStart(5)} µs/row`;

async function bulkRows(client: Client): Promise<void> {
  for (const table of ['events_arrays', 'events_document']) {
    await client.query(`CREATE TABLE ${table} (
      event_id text PRIMARY KEY, event_type text NOT NULL, subject text NOT NULL, occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(), source text NOT NULL, correlation_id text NOT NULL,
      payload jsonb NOT NULL)`);
    await client.query(`CREATE INDEX ON ${table} (occurred_at)`);
  }
  const total = batches * rowsPerBatch;
  say(`bulk rows: ${batches} statements of ${rowsPerBatch} kept events each, two rounds`);
  for (let round = 1; round <= 2; round += 1) {
    const data = Array.from({ length: batches }, () => Array.from({ length: rowsPerBatch }, eventRow));
    say(
      line(
        `round ${round}, array literals (before)`,
        await measure(client, 'INSERT INTO events_arrays%', total, async () => {
          for (const rows of data) await insertAsArrays(client, 'events_arrays', rows);
        }),
      ),
    );
    const again = data.map((rows) => rows.map((row) => ({ ...row, event_id: randomUUID() })));
    say(
      line(
        `round ${round}, one JSON document (now)`,
        await measure(client, 'INSERT INTO events_document%', total, async () => {
          for (const rows of again)
            await insertMany(client, 'events_document', EVENT_COLUMNS, rows, { onConflict: 'do nothing' });
        }),
      ),
    );
  }
}

async function sentOutboxRows(client: Client): Promise<void> {
  for (const table of ['outbox_marked', 'outbox_deleted']) {
    // The outbox's columns and indexes (libs/messaging's migrations).
    await client.query(`CREATE TABLE ${table} (
      seq bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, topic text NOT NULL, message_key text NOT NULL,
      event_type text NOT NULL, headers jsonb NOT NULL, payload text, created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz, parked_at timestamptz, park_reason text)`);
    await client.query(`CREATE INDEX ON ${table} (seq) WHERE published_at IS NULL AND parked_at IS NULL`);
    await client.query(`CREATE INDEX ON ${table} (published_at) WHERE published_at IS NOT NULL`);
  }
  const headers = JSON.stringify({
    ce_id: randomUUID(),
    ce_type: 'crm.customer.rescored.v1',
    ce_source: 'tagging',
    ce_time: new Date().toISOString(),
    ce_subject: randomUUID(),
    ce_correlationid: randomUUID(),
    traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
  });
  const payload = JSON.stringify({
    customerId: randomUUID(),
    recency: 3,
    frequency: 4,
    monetary: 5,
    tags: ['active'],
  });
  const total = batches * rowsPerBatch;
  say(
    `sent outbox rows: ${total} rows, read and settled ${rowsPerBatch} at a time as the relay does, two rounds`,
  );
  for (let round = 1; round <= 2; round += 1) {
    for (const [name, table, settle] of [
      [
        'marked published (before)',
        'outbox_marked',
        'UPDATE outbox_marked SET published_at = now() WHERE seq = ANY($1::bigint[])',
      ],
      ['deleted (now)', 'outbox_deleted', 'DELETE FROM outbox_deleted WHERE seq = ANY($1::bigint[])'],
    ] as const) {
      for (let b = 0; b < batches; b += 1)
        await client.query(
          `INSERT INTO ${table} (event_id, topic, message_key, event_type, headers, payload)
           SELECT gen_random_uuid(), 'crm.scoring.v1', gen_random_uuid()::text, 'crm.customer.rescored.v1', $1::jsonb, $2
             FROM generate_series(1, ${rowsPerBatch})`,
          [headers, payload],
        );
      await client.query(`VACUUM ANALYZE ${table}`);
      say(
        line(
          `round ${round}, ${name}`,
          await measure(client, `${settle.split(' ').slice(0, 3).join(' ')}%`, total, async () => {
            for (;;) {
              const { rows } = await client.query<{ seq: string }>(
                `SELECT seq FROM ${table} WHERE published_at IS NULL AND parked_at IS NULL ORDER BY seq LIMIT ${rowsPerBatch}`,
              );
              if (rows.length === 0) break;
              await client.query(settle, [rows.map((r) => r.seq)]);
            }
          }),
        ),
      );
    }
  }
}

/** CPU per produced record with its ten headers, the shipped encoder against the patched one, twice each. */
function recordEncoding(): void {
  const id = randomUUID();
  const headers = {
    ce_id: id,
    ce_type: 'crm.customer.rescored.v1',
    ce_source: 'tagging',
    ce_specversion: '1.0',
    ce_time: new Date().toISOString(),
    ce_subject: id,
    ce_correlationid: randomUUID(),
    ce_causationid: randomUUID(),
    traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
    content_type: 'application/json',
  };
  const record = {
    offsetDelta: 3,
    timestampDelta: 5,
    key: Buffer.from(id),
    value: Buffer.from(
      JSON.stringify({ customerId: id, recency: 3, frequency: 4, tags: ['active'], why: 'x'.repeat(300) }),
    ),
    headers,
  };
  const records = batches * rowsPerBatch * 2;
  if (!patchedRecord(record).buffer.equals(shippedRecord(record).buffer))
    throw new Error('the patched encoder wrote other bytes than the shipped one');
  say(
    `record encoding: ${records} records of ${shippedRecord(record).buffer.length} bytes with 10 headers, two rounds`,
  );
  for (let round = 1; round <= 2; round += 1)
    for (const [name, encode] of [
      ['kafkajs as shipped (before)', shippedRecord],
      ['patched (now)', patchedRecord],
    ] as const) {
      const cpu = process.cpuUsage();
      for (let i = 0; i < records; i += 1) encode(record);
      const used = process.cpuUsage(cpu);
      say(
        `  ${`round ${round}, ${name}`.padEnd(34)} client CPU ${((used.user + used.system) / records).toFixed(1).padStart(5)} µs/record`,
      );
    }
}

async function main(): Promise<void> {
  say(`command: npm run bench:bulk-writes -- --batches ${batches} --rows ${rowsPerBatch}`);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public');
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    await bulkRows(client);
    await sentOutboxRows(client);
    recordEncoding();
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
  }
}

main().catch((error: Error) => {
  process.stderr.write(
    `bench:bulk-writes failed: ${error.message}\n(it needs a Postgres with pg_stat_statements loaded: npm start's, or DATABASE_URL)\n`,
  );
  process.exit(1);
});
