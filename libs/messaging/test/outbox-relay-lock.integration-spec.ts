import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { PgNotifications } from '@crm/persistence';
import { readTopicsToEnd, testSchema, type TestSchema } from '@crm/testing';
import { OUTBOX_CHANNEL, OutboxRelay } from '../src';

/**
 * Two replicas' relays on one outbox (real Postgres and Kafka): one holds the relay lock on a connection of its
 * own and relays; the other stands by. When the leader's connection is cut, the lock is free again and a
 * replica (the other, or the same on a new connection) takes it and relays the rest: every row published, in
 * sequence order, none lost.
 */
let tables: TestSchema;
const topic = `spec.relay-lock.${randomUUID().slice(0, 8)}`;
const heldTopic = `spec.relay-hold.${randomUUID().slice(0, 8)}`;
const relays: OutboxRelay[] = [];
const listeners: PgNotifications[] = [];

beforeAll(async () => {
  tables = await testSchema('relay_lock', []);
  const kafka = new Kafka({ brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [topic, heldTopic].map((name) => ({ topic: name, numPartitions: 1, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  await admin.disconnect();
});

afterAll(async () => {
  for (const relay of relays) await relay.stop(2000);
  for (const listener of listeners) await listener.close();
  await tables.drop();
});

function relayOf(name: string): OutboxRelay {
  const notifications = new PgNotifications(process.env.DATABASE_URL!);
  listeners.push(notifications);
  const relay = new OutboxRelay(
    {
      serviceName: name,
      schema: tables.schema,
      brokers: process.env.KAFKA_BROKERS!,
      databaseUrl: process.env.DATABASE_URL!,
      relay: { idlePollMs: 1000 },
    },
    tables.dataSource,
    notifications,
  );
  relays.push(relay);
  return relay;
}

let next = 0;
/** Commits `count` rows in `transactions` transactions, each announcing itself as a publisher would. */
async function commitRows(count: number, transactions: number, to = topic): Promise<void> {
  for (let t = 0; t < transactions; t += 1)
    await tables.dataSource.transaction(async (manager) => {
      for (let i = 0; i < count / transactions; i += 1) {
        const n = next++;
        await manager.query(
          `INSERT INTO outbox (event_id, topic, message_key, event_type, headers, payload)
           VALUES ($1, $2, 'k', 'spec.row', $3, $4)`,
          [randomUUID(), to, JSON.stringify({ ce_id: `row-${n}` }), String(n)],
        );
      }
      await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, tables.schema]);
    });
}

/** The relay lock's holders: the backends of this schema's relays that hold an advisory lock. */
async function lockHolders(): Promise<Array<{ pid: number }>> {
  return tables.dataSource.query(
    `SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`,
    [`${tables.schema}-relay`],
  );
}

async function unpublished(): Promise<number> {
  const [{ n }] = await tables.dataSource.query<Array<{ n: number }>>(
    'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
  );
  return n;
}

async function drained(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [{ n }] = await tables.dataSource.query(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    if (n === 0) return;
    await sleep(50);
  }
  throw new Error('outbox not drained');
}

describe('the outbox relay lock', () => {
  it("lets one replica relay at a time, and relays on when the leader's connection is cut", async () => {
    await relayOf('replica-a').start();
    await relayOf('replica-b').start();
    await commitRows(200, 4);
    await drained();
    const holders = await lockHolders();
    expect(holders).toHaveLength(1);

    await tables.dataSource.query('SELECT pg_terminate_backend($1)', [holders[0].pid]);
    await commitRows(200, 4);
    await drained();
    const after = await lockHolders();
    expect(after).toHaveLength(1);
    expect(after[0].pid).not.toBe(holders[0].pid);

    const values = (await readTopicsToEnd([topic], { idleMs: 1500 })).map((r) => Number(r.value!.toString()));
    // At least once, in sequence order: the first sighting of each row is 0, 1, 2, … and nothing is missing.
    const firsts = values.filter((v, i) => values.indexOf(v) === i);
    expect(firsts).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });
});

describe('a held relay (a bulk import holds its events)', () => {
  it('publishes nothing while held, then everything in order once released or at its limit', async () => {
    for (const relay of relays.splice(0)) await relay.stop(2000);
    const relay = relayOf('held');
    await relay.start();
    const first = next;
    // Relayed before the hold; a round already running when a hold is taken still finishes.
    await commitRows(10, 1, heldTopic);
    await drained();
    const release = relay.hold(60_000, 'spec');
    expect(relay.held).toBe(true);
    await commitRows(100, 4, heldTopic);
    await sleep(1500);
    expect(await unpublished()).toBe(100);
    release();
    release(); // a second release changes nothing
    expect(relay.held).toBe(false);
    await drained();

    // A hold nobody releases ends by itself at its limit.
    relay.hold(800, 'forgotten');
    await commitRows(50, 2, heldTopic);
    expect(await unpublished()).toBe(50);
    await drained();
    expect(relay.held).toBe(false);

    const values = (await readTopicsToEnd([heldTopic], { idleMs: 1500 })).map((r) =>
      Number(r.value!.toString()),
    );
    expect(values.filter((v, i) => values.indexOf(v) === i)).toEqual(
      Array.from({ length: 160 }, (_, i) => first + i),
    );
  });
});
