import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { deadLetterTopic, toWireHeaders } from '@crm/contracts';
import { ProbeRecorded } from './fixtures/probe-event';
import { ensureTopics } from '../src';
import { eventually, ManagedProcess } from '@crm/testing';

/** What the messaging guarantee specs share: probe processes, their effects, dead letters and the hooks. */
const PROBE = 'libs/messaging/test/fixtures/messaging-probe';
export const brokers = () => process.env.KAFKA_BROKERS!;
export const customerPrefix = (run: number) => `00000000-${run.toString(16).padStart(4, '0')}-`;

let pool: Pool;
let kafka: Kafka;
const started: ManagedProcess[] = [];

/** The harness's database pool and Kafka client, set up before the file's tests. */
export const harness = {
  get pool(): Pool {
    return pool;
  },
  get kafka(): Kafka {
    return kafka;
  },
};

export function probe(
  mode: 'produce' | 'consume' | 'relay',
  run: number,
  env: Record<string, string> = {},
): ManagedProcess {
  const process_ = ManagedProcess.start(`probe-${mode}-${run}`, PROBE, [mode], {
    PROBE_SCHEMA: mode === 'consume' ? `probe_c${run}` : `probe_p${run}`,
    PROBE_GROUP: `probe-c${run}`,
    PROBE_RUN: String(run),
    PROBE_SESSION_TIMEOUT_MS: '6000',
    LOG_LEVEL: 'warn',
    ...env,
  });
  started.push(process_);
  return process_;
}

/** A new group starts at the end of the shared topic, so each test sees only its own events. */
export async function startGroupAtEnd(group: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(ProbeRecorded.topic);
    await admin.setOffsets({
      groupId: group,
      topic: ProbeRecorded.topic,
      partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
    });
  } finally {
    await admin.disconnect();
  }
}

export async function effectCount(run: number): Promise<number> {
  const result = await pool
    .query(`SELECT count(*)::int AS n FROM probe_c${run}.probe_effects WHERE customer_id::text LIKE $1`, [
      `${customerPrefix(run)}%`,
    ])
    .catch(() => ({ rows: [{ n: 0 }] }));
  return result.rows[0].n as number;
}

/** Every customer's effects are 1..n in the order they were applied, and no event is applied twice. */
export async function expectExactlyOnceInOrder(
  run: number,
  customers: number,
  perCustomer: number,
): Promise<void> {
  const { rows } = await pool.query(
    `SELECT customer_id, array_agg(order_seq ORDER BY id) AS seqs, count(*)::int AS n, count(DISTINCT event_id)::int AS distinct_events
       FROM probe_c${run}.probe_effects WHERE customer_id::text LIKE $1 GROUP BY customer_id`,
    [`${customerPrefix(run)}%`],
  );
  expect(rows).toHaveLength(customers);
  const expected = Array.from({ length: perCustomer }, (_, i) => i + 1);
  for (const row of rows) {
    expect(row.n).toBe(row.distinct_events);
    expect(row.seqs).toEqual(expected);
  }
}

/** A purchase record of the probe's contract, as a foreign producer would send it. */
export function probeRecord(id: string, customer: string, orderId: string) {
  return {
    key: customer,
    headers: toWireHeaders({
      id,
      type: ProbeRecorded.type,
      source: '/crm/spec',
      time: new Date().toISOString(),
      subject: customer,
      correlationId: id,
    }),
    value: JSON.stringify({ ...ProbeRecorded.fixture, customerId: customer, orderId }),
  };
}

export async function readDeadLetters(group: string, expected: number) {
  const consumer = kafka.consumer({ groupId: `dlq-reader-${group}-${Date.now()}` });
  const received: { key: string; value: Buffer | null; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: deadLetterTopic(group), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      received.push({ key: String(message.key), value: message.value, headers });
    },
  });
  await eventually(`${expected} dead letters`, async () => received.length >= expected, 60_000);
  await consumer.disconnect();
  return received;
}

/** Registers the file's hooks: a pool and a Kafka client before its tests, every probe killed after each. */
export function useProbeHarness(): void {
  beforeAll(async () => {
    pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
    kafka = new Kafka({
      clientId: 'messaging-spec',
      brokers: brokers().split(','),
      logLevel: logLevel.NOTHING,
    });
    await ensureTopics(brokers(), {}, [
      ProbeRecorded.topic,
      ...[1, 2, 3, 4, 5, 6, 8, 9].map((run) => deadLetterTopic(`probe-c${run}`)),
    ]);
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.kill('SIGKILL')));
  });

  afterAll(async () => {
    await pool.end();
  });
}
