import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@crm/contracts';
import { eventually, readTopicsToEnd } from '@crm/testing';
import { startStageWatcher, type CustomerView, type RunningStageWatcher } from '@crm-examples/stage-watcher';
import { call, daysAgo } from './http';
import { e2eSession } from './session';

/**
 * The example consumer of examples/stage-watcher, built only with @crm/customer-events, against the
 * platform: its read model agrees with tagging's API, and a replay of the whole topic changes nothing.
 */
const e2e = e2eSession('e2e-example-consumer', [Topics.scoring]);
const run = randomUUID().slice(0, 6);
const schema = `stage_watcher_${run}`;
const groupId = `examples.stage-watcher-${run}`;
const COUNT = 24;

let watcher: RunningStageWatcher | undefined;
const start = async () =>
  (watcher = await startStageWatcher({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    databaseUrl: process.env.DATABASE_URL!,
    schema,
    groupId,
    httpPort: 0,
  }));
afterAll(async () => {
  await watcher?.stop();
});

async function apiView(id: string) {
  const scores = await call('GET', `${e2e.platform.url('tagging')}/customers/${id}`, e2e.agent);
  return { stage: scores.body.lifecycleStage, segment: `value-loyalty/${scores.body.valueLoyaltySegment}` };
}

it('keeps a read model that agrees with the platform, and a replay from the beginning changes nothing', async () => {
  await start();
  const profile = e2e.platform.url('customer-profile');
  const ids: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const registered = await call('POST', `${profile}/customers`, e2e.agent, {
      externalRef: `EX-${run}-${i}`,
      kind: 'company',
      name: `Example Customer ${i}`,
      relationshipStartedAt: daysAgo(60 + i * 40),
    });
    expect(registered.status).toBe(201);
    ids.push(registered.body.id as string);
  }
  for (const [i, id] of ids.entries()) {
    for (let n = 0; n < i % 4; n++) {
      const bought = await call('POST', `${profile}/customers/${id}/purchases`, e2e.agent, {
        orderId: `EX-${run}-${i}-${n}`,
        amount: 800 * (n + 1),
        currency: 'EUR',
        occurredAt: daysAgo(10 - n),
        items: [{ sku: 'V-1', category: 'valves', quantity: 1, unitPrice: 800 * (n + 1) }],
      });
      expect(bought.status).toBe(201);
    }
  }

  const agreed = async () => {
    for (const id of ids) {
      const [view, api] = await Promise.all([
        fetch(`${watcher!.url}/customers/${id}`).then(async (r) =>
          r.status === 200 ? ((await r.json()) as CustomerView) : undefined,
        ),
        apiView(id),
      ]);
      if (!view || view.stage !== api.stage) return false;
      const loyalty = view.segments.filter((s) => s.startsWith('value-loyalty/'));
      if (loyalty.length !== 1 || loyalty[0] !== api.segment) return false;
    }
    return true;
  };
  await eventually('the example read model agrees with tagging for every customer', agreed, 90_000, 1000);

  // Each stage change the platform published is applied exactly once.
  const stageEvents = (await readTopicsToEnd([Topics.scoring], { name: `ex-${run}` })).filter(
    (r) => r.headers.ce_type?.toString() === 'crm.lifecycle-stage.changed.v1',
  );
  const published = new Map<string, number>();
  for (const record of stageEvents) published.set(record.key!, (published.get(record.key!) ?? 0) + 1);
  const before = new Map<string, number>();
  for (const id of ids) {
    const view = (await watcher!.view(id))!;
    expect(view.stageChanges).toBe(published.get(id));
    before.set(id, view.stageChanges);
  }

  // Replay: stop, rewind the group to the beginning, start again; every event arrives a second time.
  await watcher!.stop();
  watcher = undefined;
  const admin = new Kafka({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.resetOffsets({ groupId, topic: Topics.scoring, earliest: true });
  await admin.disconnect();
  await start();
  await eventually(
    'the replay is consumed to the end',
    async () => {
      const kafkaAdmin = new Kafka({
        brokers: process.env.KAFKA_BROKERS!.split(','),
        logLevel: logLevel.NOTHING,
      }).admin();
      await kafkaAdmin.connect();
      try {
        const [committed] = await kafkaAdmin.fetchOffsets({ groupId, topics: [Topics.scoring] });
        const ends = await kafkaAdmin.fetchTopicOffsets(Topics.scoring);
        return ends.every(
          (end) => committed.partitions.find((p) => p.partition === end.partition)?.offset === end.high,
        );
      } finally {
        await kafkaAdmin.disconnect();
      }
    },
    90_000,
    1000,
  );
  expect(await agreed()).toBe(true);
  for (const id of ids) expect((await watcher!.view(id))!.stageChanges).toBe(before.get(id));
  expect(await watcher!.rejected()).toEqual([]);
}, 300_000);
