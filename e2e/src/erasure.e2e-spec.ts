import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import {
  ConsumerGroups,
  deadLetterTopic,
  SERVICE_CATALOG,
  subscribedTopics,
  TOPIC_CATALOG,
} from '@crm/contracts';
import { eventually, startPlatform } from '@crm/testing';
import { call, daysAgo } from './http';
import { e2eSession } from './session';

/**
 * Erasure reaches every service: one customer touches all six, is erased, and then every text column of
 * every service schema and every record on every topic (dead-letter topics included) is searched for the
 * customer's name, e-mail, phone and contact names. Nothing may be found.
 */
const e2e = e2eSession(
  'e2e-erasure',
  TOPIC_CATALOG.map((t) => t.name),
);
const run = randomUUID().slice(0, 8);
const secrets = {
  name: `Zorbaxian Quillfeather ${run}`,
  email: `zq-${run}@erasure.example`,
  phone: `+49 30 ${run.replace(/\D/g, '7').slice(0, 6)}99`,
  contact: `Yselda Vantongeren ${run}`,
};

async function textColumnHits(
  client: Client,
  needle: string,
  schemas = SERVICE_CATALOG.map((s) => s.schema),
): Promise<string[]> {
  const columns = await client.query<{ table_schema: string; table_name: string; column_name: string }>(
    `SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = ANY($1) AND t.table_type = 'BASE TABLE'
        AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'bytea')`,
    [schemas],
  );
  const hits: string[] = [];
  for (const c of columns.rows) {
    const found = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${c.table_schema}"."${c.table_name}" WHERE "${c.column_name}"::text ILIKE $1`,
      [`%${needle}%`],
    );
    if (found.rows[0].n > 0) hits.push(`${c.table_schema}.${c.table_name}.${c.column_name}`);
  }
  return hits;
}

async function topicHits(needles: string[]): Promise<{ records: number; topics: number; hits: string[] }> {
  const kafka = new Kafka({
    clientId: `erasure-scan-${run}`,
    brokers: process.env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const topics = [
    ...TOPIC_CATALOG.map((t) => t.name),
    ...Object.values(ConsumerGroups).map(deadLetterTopic),
  ].filter((t) => existing.has(t));
  const ends = new Map<string, bigint>();
  for (const topic of topics)
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}:${p.partition}`, BigInt(p.high));
  await admin.disconnect();
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([key]) => key));
  const consumer = kafka.consumer({ groupId: `erasure-scan-${run}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const hits: string[] = [];
  let records = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  if (pending.size === 0) done();
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      records += 1;
      const text = [
        message.value?.toString() ?? '',
        ...Object.values(message.headers ?? {}).map((v) => String(v)),
      ].join('\n');
      for (const needle of needles)
        if (text.toLowerCase().includes(needle.toLowerCase()))
          hits.push(`${topic}:${partition}@${message.offset}`);
      const key = `${topic}:${partition}`;
      if (BigInt(message.offset) + 1n >= (ends.get(key) ?? 0n)) pending.delete(key);
      if (pending.size === 0) done();
    },
  });
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  await consumer.disconnect();
  return { records, topics: topics.length, hits };
}

/** Until each service's fresh group has consumed to the end every partition of every topic it subscribes to. */
async function replayed(groupOf: (service: string) => string): Promise<boolean> {
  const kafka = new Kafka({
    clientId: `erasure-lag-${run}`,
    brokers: process.env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const service of SERVICE_CATALOG) {
      const topics = subscribedTopics(service.name);
      if (topics.length === 0) continue;
      const committed = await admin.fetchOffsets({ groupId: groupOf(service.name), topics });
      for (const { topic, partitions } of committed) {
        const ends = new Map(
          (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]),
        );
        for (const p of partitions)
          if (BigInt(p.offset === '-1' ? '0' : p.offset) < (ends.get(p.partition) ?? 0n)) return false;
      }
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}

describe('erasure', () => {
  it('leaves no plaintext personal data in any schema or on any topic once the customer is erased', async () => {
    const profile = e2e.platform.url('customer-profile');
    const registered = await call('POST', `${profile}/customers`, e2e.agent, {
      externalRef: `ERASE-${run}`,
      kind: 'person',
      name: secrets.name,
      email: secrets.email,
      phone: secrets.phone,
      relationshipStartedAt: daysAgo(400),
      contacts: [{ name: secrets.contact, decisionRole: 'Buyer' }],
      consents: [{ channel: 'email', purpose: 'marketing', granted: true }],
    });
    expect(registered.status).toBe(201);
    const id = registered.body.id as string;
    const tagging = e2e.platform.url('tagging');
    await eventually(
      'tagging knows the customer',
      async () => (await call('GET', `${tagging}/customers/${id}`, e2e.agent)).status === 200,
      15_000,
    );
    const purchase = await call('POST', `${profile}/customers/${id}/purchases`, e2e.agent, {
      orderId: `ERASE-${run}-1`,
      amount: 120000,
      currency: 'EUR',
      occurredAt: daysAgo(1),
      items: [{ sku: 'P-1', category: 'pumps', quantity: 4, unitPrice: 30000 }],
    });
    expect(purchase.status).toBe(201);
    const interactions = e2e.platform.url('interaction-log');
    const logged = await call('POST', `${interactions}/customers/${id}/interactions`, e2e.agent, {
      occurredAt: daysAgo(0),
      channel: 'phone',
      direction: 'inbound',
      topic: `Call with ${secrets.contact}`,
      participants: [secrets.contact, 'agent-7'],
      customerFeedback: `${secrets.name} is pleased; write to ${secrets.email}`,
      followUpAction: `call ${secrets.phone}`,
      status: 'pending',
    });
    expect(logged.status).toBe(201);
    const feedback = e2e.platform.url('feedback-sla');
    const ticket = await call('POST', `${feedback}/tickets`, e2e.agent, {
      customerId: id,
      type: 'consultation',
      subject: `${secrets.name} asks about pumps`,
    });
    expect(ticket.status).toBe(201);
    const campaigns = e2e.platform.url('growth-campaigns');
    await eventually(
      'the cascade reached campaigns, referral and feedback',
      async () =>
        ((await call('GET', `${campaigns}/customers/${id}/care-actions`, e2e.agent)).body as unknown[])
          .length > 0 &&
        (await call('GET', `${e2e.platform.url('referral')}/customers/${id}/code`, e2e.agent)).status ===
          200 &&
        ((await call('GET', `${feedback}/customers/${id}/surveys`, e2e.agent)).body as unknown[]).length > 0,
      15_000,
    );

    // The scan finds what is there: before erasure, the interaction's participants hold the contact's name.
    const before = new Client({ connectionString: process.env.DATABASE_URL });
    await before.connect();
    try {
      expect(await textColumnHits(before, secrets.contact)).toContain(
        'interaction_log.interactions.participants',
      );
    } finally {
      await before.end();
    }

    // Subject access: everything the platform holds, each service answering its part.
    const access = await call('POST', `${profile}/customers/${id}/subject-access`, e2e.admin, {
      reason: 'access request DSR-1 (e2e)',
    });
    expect(access.status).toBe(200);
    const parts = access.body.services as Record<
      string,
      { tables: Record<string, { rows: unknown[] }>; extra: any }
    >;
    expect(Object.keys(parts).sort()).toEqual(SERVICE_CATALOG.map((s) => s.name).sort());
    expect(parts['customer-profile'].extra.customer).toMatchObject({
      name: secrets.name,
      email: secrets.email,
    });
    expect(parts['customer-profile'].tables.purchases.rows).toHaveLength(1);
    expect(JSON.stringify(parts['interaction-log'].tables.interactions.rows)).toContain(secrets.contact);
    expect(JSON.stringify(parts['feedback-sla'].tables.tickets.rows)).toContain(secrets.name);
    expect(parts.tagging.tables.customer_scores.rows.length).toBeGreaterThan(0);
    expect(parts['growth-campaigns'].tables.care_actions.rows.length).toBeGreaterThan(0);
    expect(parts.referral.tables.members.rows).toHaveLength(1);
    expect(JSON.stringify(access.body)).not.toMatch(/wrapped_key|_enc"|_hash"/);
    expect(
      (
        await call('POST', `${profile}/customers/${id}/subject-access`, e2e.agent, {
          reason: 'not mine to ask',
        })
      ).status,
    ).toBe(403);

    expect((await call('DELETE', `${profile}/customers/${id}/personal-data`, e2e.admin)).status).toBe(204);
    await eventually(
      'every service purged',
      async () => {
        const timeline = (await call('GET', `${interactions}/customers/${id}/timeline`, e2e.agent)).body as {
          items: { participants: string[]; customerFeedback: string | null; topic: string }[];
        };
        const tickets = (await call('GET', `${feedback}/customers/${id}/tickets`, e2e.agent)).body as {
          subject: string | null;
        }[];
        const actions = (await call('GET', `${campaigns}/customers/${id}/care-actions`, e2e.agent)).body as {
          status: string;
        }[];
        return (
          timeline.items.every((i) => i.participants.length === 0 && i.customerFeedback === null) &&
          tickets.every((t) => t.subject === null) &&
          actions.every((a) => a.status !== 'triggered')
        );
      },
      20_000,
    );
    expect((await call('PATCH', `${profile}/customers/${id}`, e2e.agent, { name: 'again' })).status).toBe(
      410,
    );
    const audit = await call('GET', `${profile}/audit/personal-data?customerId=${id}`, e2e.admin);
    expect(audit.body).toEqual([
      expect.objectContaining({ action: 'erase', actor: 'e2e-admin', customerId: id }),
      expect.objectContaining({ action: 'export', actor: 'e2e-admin', reason: 'access request DSR-1 (e2e)' }),
    ]);
    // After erasure, the export holds no personal data.
    const afterAccess = await call('POST', `${profile}/customers/${id}/subject-access`, e2e.admin, {
      reason: 'access request DSR-2 (e2e)',
    });
    expect(afterAccess.status).toBe(200);
    for (const needle of Object.values(secrets))
      expect(JSON.stringify(afterAccess.body)).not.toContain(needle);

    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      for (const needle of Object.values(secrets))
        expect({ needle, hits: await textColumnHits(client, needle) }).toEqual({ needle, hits: [] });
    } finally {
      await client.end();
    }
    const scan = await topicHits(Object.values(secrets));
    expect(scan.topics).toBeGreaterThanOrEqual(TOPIC_CATALOG.length);
    expect(scan.records).toBeGreaterThan(0);
    expect(scan.hits).toEqual([]);

    // Replaying every topic from the beginning into fresh consumers (new groups, empty schemas) brings none back.
    const replayPrefix = `replay_${run}`;
    const groupOf = (service: string) => `${service}-replay-${run}`;
    const replay = await startPlatform({}, 300, replayPrefix, (name) => ({
      KAFKA_CONSUMER_GROUP: groupOf(name),
    }));
    try {
      await eventually('the fresh consumers replayed every topic', () => replayed(groupOf), 90_000, 500);
      const replayedTagging = await call(
        'GET',
        `${replay.url('tagging')}/customers/${id}`,
        replay.token('agent'),
      );
      expect(replayedTagging.status).toBe(200);
      const fresh = new Client({ connectionString: process.env.DATABASE_URL });
      await fresh.connect();
      try {
        const schemas = SERVICE_CATALOG.map((s) => `${replayPrefix}_${s.schema}`);
        for (const needle of Object.values(secrets))
          expect({ needle, hits: await textColumnHits(fresh, needle, schemas) }).toEqual({
            needle,
            hits: [],
          });
      } finally {
        await fresh.end();
      }
    } finally {
      await replay.stop();
    }
    process.stdout.write(
      `erasure scan: ${scan.topics} topics, ${scan.records} records, 4 needles: no hits; replay into fresh consumer groups: no hits\n`,
    );
  }, 300_000);
});
