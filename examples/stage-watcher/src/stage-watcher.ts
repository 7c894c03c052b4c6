import { createServer, type Server } from 'node:http';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Pool, type PoolClient } from 'pg';
import {
  claimEvent,
  isEvent,
  PROCESSED_EVENTS_DDL,
  topicsFor,
  tryDecodeEvent,
  withRetries,
  type CustomerEvent,
} from '@crm/customer-events';

export interface StageWatcherOptions {
  brokers: string[];
  databaseUrl: string;
  /** The watcher's own Postgres schema. */
  schema: string;
  /** Consumer groups are named `<team>.<app>`: one per application, never shared with another. */
  groupId: string;
  httpPort: number;
}

export interface CustomerView {
  customerId: string;
  stage: string | null;
  /** `<segment set>/<segment>`, e.g. `value-loyalty/core`. */
  segments: string[];
  /** Stage changes applied: a duplicate delivery would show here. */
  stageChanges: number;
  updatedAt: string;
}

export interface RunningStageWatcher {
  url: string;
  view(customerId: string): Promise<CustomerView | undefined>;
  rejected(): Promise<Array<{ topic: string; offset: string; reason: string }>>;
  stop(): Promise<void>;
}

const CONSUMER = 'stage-watcher';
const WATCHED = ['crm.lifecycle-stage.changed.v1', 'crm.segment.changed.v1'] as const;

/** Starts the watcher: schema, consumer (from the beginning on its first run) and a read API. */
export async function startStageWatcher(options: StageWatcherOptions): Promise<RunningStageWatcher> {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.schema))
    throw new Error(`schema "${options.schema}" is not a plain name`);
  const pool = new Pool({
    connectionString: options.databaseUrl,
    max: 4,
    options: `-c search_path=${options.schema}`,
  });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
  await pool.query(PROCESSED_EVENTS_DDL);
  await pool.query(`CREATE TABLE IF NOT EXISTS customer_view (
    customer_id uuid PRIMARY KEY,
    stage text,
    segments text[] NOT NULL DEFAULT '{}',
    stage_changes int NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now())`);
  await pool.query(`CREATE TABLE IF NOT EXISTS rejected_records (
    topic text NOT NULL, partition int NOT NULL, record_offset text NOT NULL, reason text NOT NULL,
    PRIMARY KEY (topic, partition, record_offset))`);

  const kafka = new Kafka({ clientId: CONSUMER, brokers: options.brokers, logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: topicsFor(WATCHED), fromBeginning: true });
  await consumer.run({
    // kafkajs hands one partition's records one after another: one customer's events stay in order.
    eachMessage: async ({ topic, partition, message }) => {
      const decoded = tryDecodeEvent(message);
      if (!decoded.ok) {
        // Types this app does not know (newer ones, or other teams' topics) are not errors: skip them.
        if (decoded.error.code === 'UNKNOWN_TYPE') return;
        await reject(
          pool,
          topic,
          partition,
          message.offset,
          `${decoded.error.code}: ${decoded.error.message}`,
        );
        return;
      }
      const event = decoded.event;
      if (!WATCHED.some((type) => isEvent(event, type))) return;
      const outcome = await withRetries(() => inTransaction(pool, (client) => apply(client, event)));
      // A failure that retries did not fix is recorded, never silently dropped, and the partition moves on.
      if (!outcome.ok) await reject(pool, topic, partition, message.offset, String(outcome.error));
    },
  });

  const read = async (customerId: string): Promise<CustomerView | undefined> => {
    const { rows } = await pool.query(
      'SELECT customer_id, stage, segments, stage_changes, updated_at FROM customer_view WHERE customer_id = $1',
      [customerId],
    );
    const row = rows[0];
    return row
      ? {
          customerId: row.customer_id,
          stage: row.stage,
          segments: [...row.segments].sort(),
          stageChanges: row.stage_changes,
          updatedAt: row.updated_at.toISOString(),
        }
      : undefined;
  };
  const server: Server = createServer((request, response) => {
    const match = /^\/customers\/([0-9a-f-]{36})$/.exec(request.url ?? '');
    if (request.method !== 'GET' || !match) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"GET /customers/<id>"}');
      return;
    }
    read(match[1]).then(
      (view) =>
        response
          .writeHead(view ? 200 : 404, { 'content-type': 'application/json' })
          .end(JSON.stringify(view ?? { error: 'not seen yet' })),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.httpPort, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    url: `http://127.0.0.1:${port}`,
    view: read,
    rejected: async () =>
      (await pool.query('SELECT topic, record_offset AS offset, reason FROM rejected_records ORDER BY topic'))
        .rows,
    stop: async () => {
      await consumer.disconnect();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

async function inTransaction(pool: Pool, work: (client: PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Applies one event, once: the claim and the effect commit together. */
async function apply(client: PoolClient, event: CustomerEvent): Promise<void> {
  if (!(await claimEvent(client, CONSUMER, event.id))) return;
  if (isEvent(event, 'crm.lifecycle-stage.changed.v1')) {
    await client.query(
      `INSERT INTO customer_view (customer_id, stage, stage_changes) VALUES ($1, $2, 1)
       ON CONFLICT (customer_id) DO UPDATE
         SET stage = EXCLUDED.stage, stage_changes = customer_view.stage_changes + 1, updated_at = now()`,
      [event.data.customerId, event.data.stage],
    );
  } else if (isEvent(event, 'crm.segment.changed.v1')) {
    const segment = `${event.data.segmentSet}/${event.data.segment}`;
    await client.query(
      event.data.change === 'entered'
        ? `INSERT INTO customer_view (customer_id, segments) VALUES ($1, ARRAY[$2])
           ON CONFLICT (customer_id) DO UPDATE
             SET segments = array_append(array_remove(customer_view.segments, $2), $2), updated_at = now()`
        : `INSERT INTO customer_view (customer_id) VALUES ($1)
           ON CONFLICT (customer_id) DO UPDATE
             SET segments = array_remove(customer_view.segments, $2), updated_at = now()`,
      [event.data.customerId, segment],
    );
  }
}

async function reject(
  pool: Pool,
  topic: string,
  partition: number,
  offset: string,
  reason: string,
): Promise<void> {
  await pool.query(
    'INSERT INTO rejected_records (topic, partition, record_offset, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [topic, partition, offset, reason],
  );
}
