import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { Topics } from '@crm/contracts';
import { eventually, readTopicsToEnd } from '@crm/testing';
import { call, daysAgo } from './http';
import { e2eSession } from './session';

/**
 * Webhook subscriptions against the running platform, with local receivers: one reliable, one flaky (it
 * rejects every third request before looking at it), one down until it is fixed. Every matching event
 * arrives once per webhook-id, in order per customer, signed per Standard Webhooks (verified with the
 * specification's reference library, across a secret rotation); a replay from T re-delivers exactly the
 * events after T; an endpoint that keeps failing is paused (with an event) and resumed.
 */
const e2e = e2eSession('e2e-webhooks', [Topics.webhooks], {
  env: { WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_RETRY_MAX_MS: '400', WEBHOOK_PAUSE_AFTER_FAILURES: '4' },
});
const run = randomUUID().slice(0, 6);
const webhooks = () => e2e.platform.url('webhooks');
const profile = () => e2e.platform.url('customer-profile');

interface Received {
  webhookId: string;
  headers: Record<string, string>;
  raw: string;
  body: {
    type: string;
    timestamp: string;
    data: Record<string, unknown>;
    event: { id: string; subject: string };
  };
}

interface Receiver {
  url: string;
  accepted: Received[];
  requests: number;
  rejected: number;
  mode: 'ok' | 'flaky' | 'down';
  close(): Promise<void>;
}

async function receiver(mode: Receiver['mode']): Promise<Receiver> {
  const state = { accepted: [] as Received[], requests: 0, rejected: 0, mode };
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      state.requests++;
      const fail = state.mode === 'down' || (state.mode === 'flaky' && state.requests % 3 === 0);
      if (fail) {
        state.rejected++;
        response.writeHead(state.mode === 'down' ? 503 : 500).end();
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      state.accepted.push({ webhookId: headers['webhook-id'], headers, raw, body: JSON.parse(raw) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/hooks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const TYPES = ['crm.purchase.recorded.v1', 'crm.lifecycle-stage.changed.v1', 'crm.segment.changed.v1'];

async function subscribe(url: string, name: string, eventTypes: string[], segmentFilter?: string) {
  const created = await call('POST', `${webhooks()}/subscriptions`, e2e.integration, {
    name,
    url,
    eventTypes,
    ...(segmentFilter ? { segmentFilter } : {}),
  });
  expect(created.status).toBe(201);
  expect(created.body.secret).toMatch(/^whsec_/);
  return created.body as { id: string; secret: string };
}

async function registerCustomer(i: number): Promise<string> {
  const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
    externalRef: `WH-${run}-${i}`,
    kind: 'company',
    name: `Webhook Customer ${i}`,
    relationshipStartedAt: daysAgo(200 + i),
  });
  expect(registered.status).toBe(201);
  return registered.body.id as string;
}

async function buy(customerId: string, order: string, amount: number): Promise<void> {
  const bought = await call('POST', `${profile()}/customers/${customerId}/purchases`, e2e.agent, {
    orderId: order,
    amount,
    currency: 'EUR',
    occurredAt: new Date().toISOString(),
    items: [{ sku: 'W-1', category: 'pumps', quantity: 1, unitPrice: amount }],
  });
  expect(bought.status).toBe(201);
}

/** The events on the topics about the given customers and of the given types, in topic (per customer) order. */
async function publishedEvents(customers: Set<string>, types: string[]) {
  const records = await readTopicsToEnd([Topics.purchases, Topics.scoring], { name: `wh-${run}` });
  return records
    .filter((r) => customers.has(r.key!) && types.includes(r.headers.ce_type?.toString() ?? ''))
    .map((r) => ({
      id: r.headers.ce_id!.toString(),
      subject: r.key!,
      type: r.headers.ce_type!.toString(),
      topic: r.topic,
    }));
}

function verifies(secret: string, received: Received): boolean {
  try {
    new Webhook(secret).verify(received.raw, {
      'webhook-id': received.headers['webhook-id'],
      'webhook-timestamp': received.headers['webhook-timestamp'],
      'webhook-signature': received.headers['webhook-signature'],
    });
    return true;
  } catch {
    return false;
  }
}

describe('webhook subscriptions', () => {
  const receivers: Receiver[] = [];
  afterAll(async () => {
    for (const r of receivers) await r.close();
  });

  it('delivers every matching event once per webhook-id, in order per customer, signed, through a flaky endpoint, a secret rotation and a replay', async () => {
    const reliable = await receiver('ok');
    const flaky = await receiver('flaky');
    const filtered = await receiver('ok');
    receivers.push(reliable, flaky, filtered);
    const a = await subscribe(reliable.url, `reliable-${run}`, TYPES);
    const b = await subscribe(flaky.url, `flaky-${run}`, TYPES);

    const customers: string[] = [];
    for (let i = 0; i < 6; i++) customers.push(await registerCustomer(i));
    const listed = await call(
      'PUT',
      `${e2e.platform.url('tagging')}/segments/wh-list-${run}/members`,
      e2e.admin,
      {
        customerIds: [customers[0]],
      },
    );
    expect(listed.status).toBe(200);
    const c = await subscribe(filtered.url, `filtered-${run}`, TYPES, `custom:wh-list-${run}`);

    await Promise.all(customers.map((id, i) => buy(id, `WH-${run}-${i}-1`, 400 + i * 300)));
    // Rotate a's secret between the two rounds: later deliveries carry a signature for each secret.
    const rotated = await call('POST', `${webhooks()}/subscriptions/${a.id}/secret/rotate`, e2e.integration);
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;
    await Promise.all(customers.map((id, i) => buy(id, `WH-${run}-${i}-2`, 2500 + i * 900)));

    const ours = new Set(customers);
    let expected: Awaited<ReturnType<typeof publishedEvents>> = [];
    const arrived = (r: Receiver) => new Set(r.accepted.map((x) => x.body.event.id));
    // The second purchases are scored (their stage and segment events are in tagging's outbox) ...
    await eventually(
      'tagging scored both purchases of every customer',
      async () => {
        for (const id of customers) {
          const scores = await call('GET', `${e2e.platform.url('tagging')}/customers/${id}`, e2e.agent);
          if (scores.body?.facts?.lifetimePurchases !== 2) return false;
        }
        return true;
      },
      60_000,
    );
    // ... and what the topics hold has stopped growing (one more look a second later finds nothing new).
    let seen = -1;
    await eventually(
      'both receivers have every matching event',
      async () => {
        expected = await publishedEvents(ours, TYPES);
        const settled = expected.length === seen;
        seen = expected.length;
        return (
          settled &&
          expected.length >= customers.length * 2 &&
          expected.every((e) => arrived(reliable).has(e.id) && arrived(flaky).has(e.id))
        );
      },
      90_000,
      1000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000)); // nothing more may arrive

    for (const [name, r] of [
      ['reliable', reliable],
      ['flaky', flaky],
    ] as const) {
      const mine = r.accepted.filter((x) => ours.has(x.body.event.subject));
      // Once per webhook-id, and exactly the matching events.
      expect({ name, ids: new Set(mine.map((x) => x.webhookId)).size }).toEqual({ name, ids: mine.length });
      expect(mine.map((x) => x.body.event.id).sort()).toEqual(expected.map((e) => e.id).sort());
      // In the topic's order per customer (across topics Kafka has no order, and neither do deliveries).
      for (const customer of customers)
        for (const topic of [Topics.purchases, Topics.scoring]) {
          const onTopic = expected.filter((e) => e.subject === customer && e.topic === topic);
          const ids = new Set(onTopic.map((e) => e.id));
          const order = mine.filter((x) => ids.has(x.body.event.id)).map((x) => x.body.event.id);
          expect({ customer, topic, order }).toEqual({ customer, topic, order: onTopic.map((e) => e.id) });
        }
    }
    expect(flaky.rejected).toBeGreaterThan(0);
    for (const x of flaky.accepted) expect(verifies(b.secret, x)).toBe(true);
    // Across the rotation: everything verifies with the old secret until it expires, later ones with the new too.
    for (const x of reliable.accepted) expect(verifies(a.secret, x)).toBe(true);
    const afterRotation = reliable.accepted.filter(
      (x) => x.headers['webhook-signature'].split(' ').length === 2,
    );
    expect(afterRotation.length).toBeGreaterThan(0);
    for (const x of afterRotation) expect(verifies(newSecret, x)).toBe(true);
    expect(verifies(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, reliable.accepted[0])).toBe(false);

    // The delivery log of the flaky endpoint shows the failed attempts and the one that passed.
    const log = await call(
      'GET',
      `${webhooks()}/subscriptions/${b.id}/deliveries?limit=1000`,
      e2e.integration,
    );
    expect(log.status).toBe(200);
    const retried = (log.body as Array<{ log: Array<{ statusCode: number }> }>).filter(
      (d) => d.log.length > 1,
    );
    expect(retried.length).toBeGreaterThan(0);
    for (const d of retried)
      expect(d.log.map((a) => a.statusCode)).toEqual([...d.log.slice(0, -1).map(() => 500), 204]);

    // The segment filter: only the listed customer's events reached the filtered endpoint.
    expect(filtered.accepted.filter((x) => x.body.event.subject !== customers[0])).toEqual([]);

    // Replay from T: exactly the events after T again, with new webhook ids, in order.
    const times = reliable.accepted
      .filter((x) => ours.has(x.body.event.subject))
      .map((x) => x.body.timestamp)
      .sort();
    const t = times[Math.floor(times.length / 2)];
    const afterT = reliable.accepted.filter((x) => ours.has(x.body.event.subject) && x.body.timestamp > t);
    const before = reliable.accepted.length;
    const replayed = await call('POST', `${webhooks()}/subscriptions/${a.id}/replay`, e2e.integration, {
      from: t,
    });
    expect(replayed.status).toBe(202);
    await eventually(
      'the replay arrives',
      async () => reliable.accepted.length >= before + replayed.body.deliveries,
      30_000,
    );
    const again = reliable.accepted.slice(before).filter((x) => ours.has(x.body.event.subject));
    expect(again.map((x) => x.body.event.id).sort()).toEqual(afterT.map((x) => x.body.event.id).sort());
    expect(again.every((x) => x.body.timestamp > t)).toBe(true);
    const liveIds = new Set(reliable.accepted.slice(0, before).map((x) => x.webhookId));
    expect(again.filter((x) => liveIds.has(x.webhookId))).toEqual([]);

    // Replay on the filtered subscription: the listed customer's events, now that its state is known.
    const filteredReplay = await call('POST', `${webhooks()}/subscriptions/${c.id}/replay`, e2e.integration, {
      from: new Date(Date.now() - 3600_000).toISOString(),
    });
    expect(filteredReplay.status).toBe(202);
    expect(filteredReplay.body.deliveries).toBe(expected.filter((e) => e.subject === customers[0]).length);
  }, 240_000);

  it('pauses an endpoint that keeps failing, with an event, and resumes it in order', async () => {
    const down = await receiver('down');
    receivers.push(down);
    const d = await subscribe(down.url, `down-${run}`, ['crm.purchase.recorded.v1']);
    const customer = await registerCustomer(99);
    await buy(customer, `WH-${run}-99-1`, 100);
    await buy(customer, `WH-${run}-99-2`, 200);
    await eventually(
      'the subscription is paused',
      async () =>
        (await call('GET', `${webhooks()}/subscriptions/${d.id}`, e2e.integration)).body.status === 'paused',
      30_000,
      200,
    );
    const paused = (await call('GET', `${webhooks()}/subscriptions/${d.id}`, e2e.integration)).body;
    expect(paused).toMatchObject({ consecutiveFailures: 4, lastError: 'HTTP 503', pendingDeliveries: 2 });
    await eventually(
      'the paused event',
      async () =>
        e2e.observer.events.some(
          (e) => e.type === 'crm.webhook-subscription.paused.v1' && e.body.subscriptionId === d.id,
        ),
      15_000,
    );
    const requestsWhilePaused = down.requests;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(down.requests).toBe(requestsWhilePaused);

    down.mode = 'ok';
    const resumed = await call('POST', `${webhooks()}/subscriptions/${d.id}/resume`, e2e.integration);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('active');
    await eventually('the pending deliveries arrive', async () => down.accepted.length === 2, 15_000);
    expect(down.accepted.map((x) => (x.body.data as { orderId: string }).orderId)).toEqual([
      `WH-${run}-99-1`,
      `WH-${run}-99-2`,
    ]);
    expect(e2e.observer.events.some((e) => e.type === 'crm.webhook-subscription.resumed.v1')).toBe(true);

    const bad = await call('POST', `${webhooks()}/subscriptions`, e2e.integration, {
      name: 'x',
      url: 'ftp://example.com',
      eventTypes: ['crm.nothing.v1'],
      segmentFilter: 'planet:mars',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'eventTypes',
      'segmentFilter',
      'url',
    ]);
  }, 120_000);
});
