import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { mintToken } from '@crm/auth';
import {
  CustomerRescored,
  SlaBreached,
  SlaWarning,
  TicketEscalated,
  toWireHeaders,
  Topics,
} from '@crm/contracts';
import { ensureTopics } from '@crm/messaging';
import { eventually, GiveUpWaiting, ManagedProcess, observeTopics, type TopicObserver } from '@crm/testing';

/**
 * Durable SLA timers against real Kafka and Postgres: feedback-sla runs as its own process(es), is killed
 * before a deadline and restarted after it, and runs as two replicas on one database.
 */
const JWT_SECRET = 'sla-timer-test-secret-long-enough-for-hs256';
const schema = `feedback_sla_timers_${randomUUID().slice(0, 8)}`;
const admin = mintToken(JWT_SECRET, 'sla-test-admin', ['admin']);
const agent = mintToken(JWT_SECRET, 'sla-test-agent', ['agent']);
const replicas: ManagedProcess[] = [];
let observer: TopicObserver;

async function startReplica(port: number, env: Record<string, string> = {}): Promise<ManagedProcess> {
  const replica = ManagedProcess.start(`feedback-sla:${port}`, 'services/feedback-sla/src/main', [], {
    PORT: String(port),
    JWT_SECRET,
    DATABASE_SCHEMA: schema,
    KAFKA_CREATE_TOPICS: 'false',
    LOG_LEVEL: 'warn',
    ...env,
  });
  replicas.push(replica);
  await eventually(
    `feedback-sla on ${port} ready`,
    async () => {
      if (!replica.running) throw new GiveUpWaiting(`feedback-sla exited:\n${replica.output()}`);
      return (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok === true;
    },
    60_000,
    100,
  );
  return replica;
}

async function call(port: number, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${port}/feedback${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/**
 * The events of a type about a ticket, one per event id: the relay publishes at least once (a send whose
 * commit is lost is sent again, with the same id, and consumers' inboxes drop the repeat), so "fired once"
 * means one event id, whatever the number of records that carried it.
 */
const eventsFor = (type: string, ticketId: string) => {
  const seen = new Set<string>();
  return observer.events.filter((e) => {
    if (e.type !== type || e.body.ticketId !== ticketId) return false;
    const id = e.message.headers?.ce_id?.toString() ?? '';
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
};

beforeAll(async () => {
  await ensureTopics(process.env.KAFKA_BROKERS!);
  observer = await observeTopics('sla-timer-test', [Topics.feedback], false);
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.kill('SIGTERM')));
  await observer?.stop();
});

describe('durable SLA timers', () => {
  it('fires a breach once, with the true deadline, when the service was killed before it and restarted after it', async () => {
    const port = 3504;
    const first = await startReplica(port);
    const policy = await call(port, 'PUT', '/sla-policies/restart-test', admin, {
      id: 'restart-test',
      position: 0,
      ticketType: 'fault',
      firstResponseSeconds: 3,
      resolutionSeconds: 3600,
    });
    expect(policy.status).toBe(200);
    const opened = await call(port, 'POST', '/tickets', agent, {
      customerId: randomUUID(),
      type: 'fault',
      subject: 'pump stopped',
    });
    if (opened.status !== 201)
      throw new Error(`open answered ${opened.status} ${JSON.stringify(opened.body)}`);
    await first.kill('SIGKILL');
    const ticketId = opened.body.id as string;
    const dueAt = new Date(opened.body.firstResponseDueAt);
    expect(dueAt.getTime() - new Date(opened.body.openedAt).getTime()).toBe(3000);
    expect(eventsFor(SlaBreached.type, ticketId)).toHaveLength(0);

    await sleep(Math.max(0, dueAt.getTime() + 2000 - Date.now()));
    await startReplica(port);
    await eventually(
      'the breach after restart',
      async () => eventsFor(SlaBreached.type, ticketId).length > 0,
      15_000,
    );
    await sleep(1500);
    const breaches = eventsFor(SlaBreached.type, ticketId);
    expect(breaches).toHaveLength(1);
    expect(breaches[0].body).toMatchObject({ metric: 'first-response', dueAt: dueAt.toISOString() });
    expect(new Date(breaches[0].body.breachedAt).getTime()).toBeGreaterThan(dueAt.getTime() + 1500);
    expect(eventsFor(SlaWarning.type, ticketId).map((e) => e.body.metric)).toEqual(['first-response']);
    expect(eventsFor(TicketEscalated.type, ticketId).map((e) => e.body.level)).toEqual(['department']);
    const ticket = await call(port, 'GET', `/tickets/${ticketId}`, agent);
    expect(ticket.body.breaches.firstResponse).not.toBeNull();
    expect(ticket.body.escalationLevel).toBe('department');
  }, 60_000);

  it('never fires the same timer twice with two replicas on one database, and fires each on time', async () => {
    const ports = [3504, 3514];
    await startReplica(ports[1]);
    await call(ports[0], 'PUT', '/sla-policies/replica-test', admin, {
      id: 'replica-test',
      position: 0,
      ticketType: 'consultation',
      firstResponseSeconds: 1,
      resolutionSeconds: 2,
    });
    const tickets: string[] = [];
    for (let i = 0; i < 30; i++) {
      const opened = await call(ports[i % 2], 'POST', '/tickets', agent, {
        customerId: randomUUID(),
        type: 'consultation',
      });
      expect(opened.status).toBe(201);
      tickets.push(opened.body.id);
    }
    await eventually(
      'both breaches of every ticket',
      async () => tickets.every((id) => eventsFor(SlaBreached.type, id).length >= 2),
      20_000,
    );
    await sleep(1500);
    for (const id of tickets) {
      expect(
        eventsFor(SlaBreached.type, id)
          .map((e) => e.body.metric)
          .sort(),
      ).toEqual(['first-response', 'resolution']);
      expect(eventsFor(SlaWarning.type, id)).toHaveLength(2);
      expect(eventsFor(TicketEscalated.type, id).map((e) => e.body.level)).toEqual([
        'department',
        'executive',
      ]);
      // On time without polling: the workers sleep until the next due time (the fallback look is 30 s away),
      // and a timer armed on one replica wakes the other through NOTIFY.
      for (const breach of eventsFor(SlaBreached.type, id)) {
        const late = new Date(breach.body.breachedAt).getTime() - new Date(breach.body.dueAt).getTime();
        expect({ id, late: late >= 0 && late < 1000 }).toEqual({ id, late: true });
      }
    }
  }, 60_000);

  it("re-times an open ticket from the time already used when the customer's tier or the policies change", async () => {
    const port = 3504;
    const customerId = randomUUID();
    const opened = (await call(port, 'POST', '/tickets', agent, { customerId, type: 'suggestion' })).body;
    const openedAt = new Date(opened.openedAt).getTime();
    const dueAfter = (ticket: { firstResponseDueAt: string }) =>
      new Date(ticket.firstResponseDueAt).getTime() - openedAt;
    expect(opened.policy).toBe('default');
    expect(dueAfter(opened)).toBe(24 * 3600_000);

    const kafka = new Kafka({
      clientId: 'sla-retime-test',
      brokers: process.env.KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const eventId = randomUUID();
    await producer.send({
      topic: CustomerRescored.topic,
      messages: [
        {
          key: customerId,
          headers: toWireHeaders({
            id: eventId,
            type: CustomerRescored.type,
            source: '/crm/tagging',
            time: new Date().toISOString(),
            subject: customerId,
            correlationId: eventId,
          }),
          value: JSON.stringify({ ...CustomerRescored.fixture, customerId }),
        },
      ],
    });
    await producer.disconnect();
    let ticket = opened;
    await eventually(
      'the ticket re-timed to the high-value policy',
      async () =>
        (ticket = (await call(port, 'GET', `/tickets/${opened.id}`, agent)).body).policy === 'high-value',
      20_000,
    );
    expect(ticket.customerTier).toBe('high-value');
    expect(Math.abs(dueAfter(ticket) - 12 * 3600_000)).toBeLessThan(1000);

    const tighter = await call(port, 'PUT', '/sla-policies/retime-test', admin, {
      id: 'retime-test',
      position: 0,
      ticketType: 'suggestion',
      customerTier: 'high-value',
      firstResponseSeconds: 3600,
      resolutionSeconds: 7200,
    });
    expect(tighter.body.openTicketsRetimed).toBeGreaterThanOrEqual(1);
    ticket = (await call(port, 'GET', `/tickets/${opened.id}`, agent)).body;
    expect(ticket.policy).toBe('retime-test');
    expect(Math.abs(dueAfter(ticket) - 3600_000)).toBeLessThan(1000);

    expect((await call(port, 'DELETE', '/sla-policies/retime-test', admin)).status).toBe(204);
    ticket = (await call(port, 'GET', `/tickets/${opened.id}`, agent)).body;
    expect(ticket.policy).toBe('high-value');
    expect(Math.abs(dueAfter(ticket) - 12 * 3600_000)).toBeLessThan(1000);
  }, 60_000);

  it('fires warnings, breaches and escalations hours ahead when the service clock is moved, without sleeping', async () => {
    const port = 3524;
    const refused = await call(3504, 'POST', '/clock/advance', admin, { ms: 1000 });
    expect(refused.status).toBe(404);
    // A schema of its own: the moved clock is this schema's, and no other test's tickets see it.
    await startReplica(port, { CLOCK_CONTROL: 'true', DATABASE_SCHEMA: `${schema}_clock` });
    expect((await call(port, 'POST', '/clock/advance', agent, { ms: 1000 })).status).toBe(403);
    const bad = await call(port, 'POST', '/clock/advance', admin, { ms: -5 });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['ms']);
    const realStart = Date.now();

    // The handbook's fault policy: first response within 2 h, resolution within 72 h, round the clock.
    const opened = await call(port, 'POST', '/tickets', agent, { customerId: randomUUID(), type: 'fault' });
    expect(opened.status).toBe(201);
    const ticketId = opened.body.id as string;
    const openedAt = new Date(opened.body.openedAt).getTime();
    const firstDue = new Date(opened.body.firstResponseDueAt).getTime();
    expect(firstDue - openedAt).toBe(2 * 3600_000);
    const advance = async (ms: number) => {
      const moved = await call(port, 'POST', '/clock/advance', admin, { ms });
      expect(moved.status).toBe(200);
      return new Date(moved.body.now).getTime();
    };

    await advance(95 * 60_000); // 79 % of the first-response target: the 75 % warning, no breach
    await eventually('the warning', async () => eventsFor(SlaWarning.type, ticketId).length === 1, 10_000);
    expect(eventsFor(SlaBreached.type, ticketId)).toEqual([]);

    const movedTo = await advance(30 * 60_000); // past the deadline
    await eventually('the breach', async () => eventsFor(SlaBreached.type, ticketId).length === 1, 10_000);
    const breach = eventsFor(SlaBreached.type, ticketId)[0].body;
    expect(breach).toMatchObject({ metric: 'first-response', dueAt: new Date(firstDue).toISOString() });
    const breachedAt = new Date(breach.breachedAt).getTime();
    // Fired on the moved clock, right after the move (the worker may read the clock a moment before the
    // advance call reads it back).
    expect(breachedAt).toBeGreaterThan(firstDue);
    expect(Math.abs(breachedAt - movedTo)).toBeLessThan(10_000);
    expect(eventsFor(TicketEscalated.type, ticketId).map((e) => e.body.level)).toEqual(['department']);

    await advance(5 * 24 * 3600_000); // 5 days on: the resolution target (72 h) and 150 % of it (108 h)
    await eventually(
      'the resolution breach and the executive escalation',
      async () =>
        eventsFor(SlaBreached.type, ticketId).length === 2 &&
        eventsFor(TicketEscalated.type, ticketId).length === 2,
      10_000,
    );
    const ticket = (await call(port, 'GET', `/tickets/${ticketId}`, agent)).body;
    expect(ticket.escalationLevel).toBe('executive');
    expect(ticket.breaches.resolution).not.toBeNull();
    const clock = (await call(port, 'GET', '/clock', admin)).body;
    expect(clock.controllable).toBe(true);
    expect(clock.offsetMs).toBeGreaterThanOrEqual(5 * 24 * 3600_000 + 125 * 60_000);
    // Five days of deadlines in seconds of real time.
    expect(Date.now() - realStart).toBeLessThan(60_000);
  }, 90_000);
});
