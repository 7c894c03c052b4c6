import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { SegmentChanged, Topics } from '@crm/contracts';
import { eventually, startPlatform, type RunningPlatform } from '@crm/testing';
import { call, daysAgo } from './http';

/** A customer enters a dynamic segment through a purchase and leaves it through the sweep; "why" tells both. */
let platform: RunningPlatform;
let agent: string;
let admin: string;
let tagging: string;
let observer: Consumer;
const seen: { type: string; body: Record<string, unknown> }[] = [];
const run = randomUUID().slice(0, 6);

beforeAll(async () => {
  platform = await startPlatform();
  agent = platform.token('agent');
  admin = platform.token('admin');
  tagging = platform.url('tagging');
  const kafka = new Kafka({
    clientId: 'e2e-segments',
    brokers: process.env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  observer = kafka.consumer({ groupId: `e2e-segments-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await observer.connect();
  await observer.subscribe({ topic: Topics.scoring, fromBeginning: true });
  await observer.run({
    eachMessage: async ({ message }) =>
      void seen.push({
        type: message.headers!.ce_type!.toString(),
        body: JSON.parse(message.value!.toString()),
      }),
  });
});

afterAll(async () => {
  await observer?.disconnect();
  await platform?.stop();
});

const changesOf = (segment: string, customerId: string) =>
  seen.filter(
    (e) => e.type === SegmentChanged.type && e.body.segment === segment && e.body.customerId === customerId,
  );

describe('segments with provenance', () => {
  const segment = `recent-buyers-${run}`;
  let customerId: string;
  let purchaseEventId: string;

  it('answers a definition error with 400 naming the position, and previews a good one', async () => {
    const bad = await call('POST', `${tagging}/segments/preview`, admin, {
      expression: 'purchases(90d) >= 1 and spend_12m >',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'SEGMENT_EXPRESSION_INVALID', position: 36 });
    expect(bad.body.fields[0]).toEqual({
      field: 'expression',
      messages: ['at position 36: expected a number, found the end'],
    });
    const good = await call('POST', `${tagging}/segments/preview`, admin, {
      expression: 'purchases(90d) >= 1 and spend_12m >= 1000',
    });
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({
      count: expect.any(Number),
      conditions: ['purchases(90d) >= 1', 'spend_12m >= 1000'],
    });
    expect(good.body.sample.length).toBe(Math.min(10, good.body.count));
  });

  it('enters through a purchase, and "why" names the conditions, the facts and the purchase event', async () => {
    const defined = await call('PUT', `${tagging}/segments/${segment}`, admin, {
      kind: 'dynamic',
      expression: 'purchases(90d) >= 1 and spend_12m >= 1000',
      description: 'bought at least once in 90 days, 1,000 or more a year',
    });
    expect(defined.status).toBe(200);
    expect(defined.body.evaluation).toMatchObject({ status: 'finished', trigger: 'segment-defined' });

    const registered = await call('POST', `${platform.url('customer-profile')}/customers`, agent, {
      externalRef: `SEG-${run}`,
      kind: 'company',
      name: 'Segment Co.',
      relationshipStartedAt: daysAgo(800),
    });
    customerId = registered.body.id;
    await eventually(
      'tagging knows the customer',
      async () => (await call('GET', `${tagging}/customers/${customerId}`, agent)).status === 200,
      10_000,
    );
    const purchase = await call(
      'POST',
      `${platform.url('customer-profile')}/customers/${customerId}/purchases`,
      agent,
      {
        orderId: `SEG-${run}-1`,
        amount: 1200,
        currency: 'EUR',
        occurredAt: daysAgo(1),
        items: [{ sku: 'V-1', category: 'valves', quantity: 2, unitPrice: 600 }],
      },
    );
    expect(purchase.status).toBe(201);
    purchaseEventId = purchase.body.eventId;
    await eventually('the entry', async () => changesOf(segment, customerId).length === 1, 10_000);
    expect(changesOf(segment, customerId)[0].body).toMatchObject({
      change: 'entered',
      segmentSet: 'custom',
      causedByEventId: purchaseEventId,
    });

    const why = (await call('GET', `${tagging}/segments/${segment}/why/${customerId}`, agent)).body;
    expect(why).toMatchObject({
      member: true,
      matchesNow: true,
      lastChange: { change: 'entered', causedByEventId: purchaseEventId, sweepRunId: null },
      conditions: [
        { condition: 'purchases(90d) >= 1', matched: true, fact: 1 },
        { condition: 'spend_12m >= 1000', matched: true, fact: 1200 },
      ],
    });
    const mine = (await call('GET', `${tagging}/customers/${customerId}/segments`, agent)).body;
    expect(mine).toEqual([expect.objectContaining({ segment, causedByEventId: purchaseEventId })]);
  });

  it('leaves through the sweep once the purchase falls out of the window, once, and "why" names the sweep run', async () => {
    const asOf = new Date(Date.now() + 100 * 86_400_000).toISOString();
    const sweep = await call('POST', `${tagging}/sweeps`, admin, { asOf });
    expect(sweep.status).toBe(200);
    expect(sweep.body).toMatchObject({ status: 'finished', trigger: 'on-demand', asOf });
    expect(sweep.body.segmentExits).toBeGreaterThanOrEqual(1);
    await eventually('the exit', async () => changesOf(segment, customerId).length === 2, 10_000);
    expect(changesOf(segment, customerId)[1].body).toMatchObject({
      change: 'exited',
      sweepRunId: sweep.body.id,
    });

    const why = (await call('GET', `${tagging}/segments/${segment}/why/${customerId}?asOf=${asOf}`, agent))
      .body;
    expect(why).toMatchObject({
      member: false,
      matchesNow: false,
      lastChange: { change: 'exited', sweepRunId: sweep.body.id, causedByEventId: null },
      conditions: [
        { condition: 'purchases(90d) >= 1', matched: false, fact: 0 },
        { condition: 'spend_12m >= 1000', matched: true, fact: 1200 },
      ],
    });

    const again = await call('POST', `${tagging}/sweeps`, admin, { asOf });
    expect(again.body).toMatchObject({ status: 'finished', changed: 0, segmentEntries: 0, segmentExits: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(changesOf(segment, customerId)).toHaveLength(2);
  });

  it('keeps a static segment as the uploaded list', async () => {
    const list = `key-accounts-${run}`;
    const uploaded = await call('PUT', `${tagging}/segments/${list}/members`, admin, {
      customerIds: [customerId],
    });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toMatchObject({ kind: 'static', evaluation: { segmentEntries: 1 } });
    const why = (await call('GET', `${tagging}/segments/${list}/why/${customerId}`, agent)).body;
    expect(why).toMatchObject({
      member: true,
      conditions: [{ condition: 'on the uploaded list', matched: true }],
    });
    const emptied = await call('PUT', `${tagging}/segments/${list}/members`, admin, { customerIds: [] });
    expect(emptied.body.evaluation).toMatchObject({ segmentExits: 1 });
    const invalid = await call('PUT', `${tagging}/segments/${list}/members`, admin, {
      customerIds: ['nope'],
    });
    expect(invalid.status).toBe(400);
  });
});
