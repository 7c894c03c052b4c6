import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call, daysAgo } from './http';
import { e2eSession } from './session';

/**
 * A journey defined by API runs against the platform with a clock the test moves: customers enter on their
 * first purchase (10 % held out, two variants), wait 3 days, get the variant's e-mail, and either buy again
 * (converted, a thank-you) or, after 7 more days, a nudge. growth-campaigns is killed while every timer is
 * pending and comes back as two replicas after they are due: each step happens exactly once.
 */
const e2e = e2eSession('e2e-journeys', [Topics.careActions], { env: { CLOCK_CONTROL: 'true' } });
const run = randomUUID().slice(0, 6);
const journeyId = `welcome-${run}`;
const DAY = 86_400_000;
/** growth-campaigns' base URL: the first process, then (after it is killed) a replica. */
let replicaBase: string | undefined;
const campaigns = () => replicaBase ?? e2e.platform.url('growth-campaigns');
const profile = () => e2e.platform.url('customer-profile');

const definition = {
  name: 'Welcome: second purchase',
  // Other test files buy too, on the same platform and at the same time: only this file pays in CHF.
  entry: { event: 'crm.purchase.recorded.v1', match: { firstPurchase: true, currency: 'CHF' } },
  holdoutPercent: 10,
  variants: [
    { id: 'A', weight: 50 },
    { id: 'B', weight: 50 },
  ],
  goal: { event: 'crm.purchase.recorded.v1', withinDays: 14 },
  exitOn: ['crm.customer.erased.v1'],
  start: 'wait-3d',
  steps: {
    'wait-3d': { type: 'wait', duration: '3d', next: 'email' },
    email: {
      type: 'action',
      action: {
        kind: 'touch',
        channel: 'email',
        purpose: 'marketing',
        template: { A: 'welcome-a', B: 'welcome-b' },
      },
      next: 'await-purchase',
    },
    'await-purchase': {
      type: 'waitForEvent',
      event: 'crm.purchase.recorded.v1',
      timeout: '7d',
      next: 'thanks',
      onTimeout: 'nudge',
    },
    thanks: {
      type: 'action',
      action: { kind: 'touch', channel: 'email', purpose: 'service', template: 'thanks' },
    },
    nudge: {
      type: 'action',
      action: { kind: 'touch', channel: 'sms', purpose: 'service', template: 'nudge' },
    },
  },
};

interface RunView {
  enteredAt: string;
  variant: string;
  holdout: boolean;
  status: string;
  step: string;
  convertedAt: string | null;
  log: Array<{ input: string; path: string[]; touches: Array<{ template: string; outcome: string }> }>;
}

const runsOf = async (id: string) =>
  (
    (await call('GET', `${campaigns()}/customers/${id}/journeys`, e2e.agent)).body as Array<
      RunView & { journeyId: string }
    >
  ).filter((r) => r.journeyId === journeyId);
const journeyTouches = async (id: string) =>
  (
    (await call('GET', `${campaigns()}/customers/${id}/care-actions`, e2e.agent)).body as Array<{
      playbook: string;
      action: string;
      status: string;
    }>
  ).filter((a) => a.playbook === `journey:${journeyId}`);

async function buy(id: string, order: string) {
  const bought = await call('POST', `${profile()}/customers/${id}/purchases`, e2e.agent, {
    orderId: order,
    amount: 250,
    currency: 'CHF',
    occurredAt: new Date().toISOString(),
    items: [{ sku: 'J-1', category: 'seals', quantity: 1, unitPrice: 250 }],
  });
  expect(bought.status).toBe(201);
}

describe('journeys', () => {
  const customers: string[] = [];
  // The schemas outlive this file: no later test's customers may enter this journey.
  afterAll(async () => {
    expect((await call('DELETE', `${campaigns()}/journeys/${journeyId}`, e2e.admin)).status).toBe(204);
  });

  it('refuses a broken definition naming each step, and versions a changed one', async () => {
    const noTemplates = await call('PUT', `${campaigns()}/journeys/${journeyId}`, e2e.admin, {
      ...definition,
      steps: {
        ...definition.steps,
        thanks: {
          type: 'action',
          action: { kind: 'touch', channel: 'email', purpose: 'service', template: `never-written-${run}` },
        },
      },
    });
    expect(noTemplates.status).toBe(400);
    expect(noTemplates.body.message).toContain(
      `steps.thanks: template never-written-${run} does not exist (PUT /campaigns/templates/never-written-${run}/en first)`,
    );
    for (const template of ['welcome-a', 'welcome-b', 'thanks', 'nudge'])
      expect(
        (
          await call('PUT', `${campaigns()}/templates/${template}/en`, e2e.admin, {
            subject: `${template}`,
            body: `Hello from ${template} ({{ touch.variant }}): {{ links.offer }}`,
          })
        ).status,
      ).toBe(200);
    const broken = structuredClone(definition) as any;
    broken.steps.email.action.template = { A: 'welcome-a' };
    broken.steps['await-purchase'].onTimeout = 'nowhere';
    broken.steps.orphan = { type: 'exit' };
    const refused = await call('PUT', `${campaigns()}/journeys/${journeyId}`, e2e.admin, broken);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual(
      expect.arrayContaining([
        'steps.email: missing template for variant B',
        'steps.await-purchase: onTimeout "nowhere" is not a step',
      ]),
    );
    const first = await call('PUT', `${campaigns()}/journeys/${journeyId}`, e2e.admin, {
      ...definition,
      name: 'draft',
    });
    expect(first.body.version).toBe(1);
    const second = await call('PUT', `${campaigns()}/journeys/${journeyId}`, e2e.admin, definition);
    expect(second.status).toBe(200);
    expect(second.body.version).toBe(2);
    expect(
      (await call('PUT', `${campaigns()}/journeys/${journeyId}`, e2e.admin, definition)).body.version,
    ).toBe(2);
  });

  it('enters, waits on the clock, touches the variant, converts; holdouts get nothing; each step once across a kill and two replicas', async () => {
    for (let i = 0; i < 24; i++) {
      const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
        externalRef: `JR-${run}-${i}`,
        kind: 'person',
        name: `Journey Customer ${i}`,
        relationshipStartedAt: daysAgo(5),
        consents: [{ channel: 'email', purpose: 'marketing', granted: true }],
      });
      customers.push(registered.body.id as string);
    }
    for (const [i, id] of customers.entries()) await buy(id, `JR-${run}-${i}-1`);
    await eventually(
      'every customer entered and waits 3 days',
      async () =>
        (await Promise.all(customers.map(runsOf))).every((r) => r.length === 1 && r[0].step === 'wait-3d'),
      60_000,
      500,
    );
    const runs = new Map<string, RunView>();
    for (const id of customers) runs.set(id, (await runsOf(id))[0]);
    const held = customers.filter((id) => runs.get(id)!.holdout);
    const treated = customers.filter((id) => !runs.get(id)!.holdout);
    expect(treated.length).toBeGreaterThan(12);
    // Nothing before the wait is over.
    expect((await Promise.all(customers.map(journeyTouches))).flat()).toEqual([]);

    expect(
      (await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: 3 * DAY + 60_000 })).status,
    ).toBe(200);
    await eventually(
      'the e-mail step ran for everyone',
      async () => (await Promise.all(customers.map(runsOf))).every((r) => r[0].step === 'await-purchase'),
      30_000,
      500,
    );
    for (const id of treated) {
      const touches = await journeyTouches(id);
      expect(touches.map((t) => t.action)).toEqual([
        runs.get(id)!.variant === 'A' ? 'welcome-a' : 'welcome-b',
      ]);
      expect({ id, status: touches[0].status, reason: (touches[0] as { reason?: string }).reason }).toEqual({
        id,
        status: expect.not.stringMatching(/suppressed/),
        reason: null,
      });
    }
    for (const id of held) {
      expect(await journeyTouches(id)).toEqual([]);
      expect((await runsOf(id))[0].log[1].touches).toEqual([
        expect.objectContaining({ outcome: 'held-out' }),
      ]);
    }

    // Half buy again: converted, thanked.
    const buyers = customers.filter((_, i) => i % 2 === 0);
    for (const id of buyers) await buy(id, `JR-${run}-${id.slice(0, 8)}-2`);
    await eventually(
      'the buyers converted',
      async () =>
        (await Promise.all(buyers.map(runsOf))).every((r) => r[0].convertedAt && r[0].status === 'completed'),
      30_000,
      500,
    );

    // The others wait for the 7-day timeout. Kill growth-campaigns with every timer pending, move the clock
    // past them while it is down, then start two replicas on the same database.
    const waiting = customers.filter((_, i) => i % 2 === 1);
    await e2e.platform.processes.get('growth-campaigns')!.kill('SIGKILL');
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    await db.query('UPDATE growth_campaigns.service_clock SET offset_ms = offset_ms + $1', [8 * DAY]);
    await db.end();
    await Promise.all([
      e2e.platform.addReplica('growth-campaigns', 4216),
      e2e.platform.addReplica('growth-campaigns', 4316),
    ]);
    replicaBase = 'http://127.0.0.1:4216/campaigns';
    await eventually(
      'the timeouts fired',
      async () => (await Promise.all(waiting.map(runsOf))).every((r) => r[0].status === 'completed'),
      60_000,
      500,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const id of waiting) {
      const r = (await runsOf(id))[0];
      expect(r.log.map((l) => l.input)).toEqual(['enter (crm.purchase.recorded.v1)', 'timer', 'timer']);
      expect(r.log[2].path).toEqual(['nudge']);
      const nudges = (await journeyTouches(id)).filter((t) => t.action === 'nudge');
      expect(nudges).toHaveLength(r.holdout ? 0 : 1);
    }

    // Entry times are on the campaigns clock (other test files may have moved it): the window is around them.
    const entered = [...runs.values()].map((r) => Date.parse(r.enteredAt));
    const from = new Date(Math.min(...entered) - DAY).toISOString();
    const to = new Date(Math.max(...entered) + DAY).toISOString();
    const report = await call(
      'GET',
      `${campaigns()}/journeys/${journeyId}/report?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      e2e.analyst,
    );
    expect(report.status).toBe(200);
    const variants = report.body.variants as Array<{
      variant: string;
      entered: number;
      converted: number;
      confidence95: { low: number; high: number };
    }>;
    expect(variants.reduce((n, v) => n + v.entered, 0)).toBe(customers.length);
    expect(variants.reduce((n, v) => n + v.converted, 0)).toBe(buyers.length);
    expect(variants.find((v) => v.variant === 'holdout')?.entered ?? 0).toBe(held.length);
    for (const v of variants) expect(v.confidence95.low).toBeLessThanOrEqual(v.confidence95.high);
  }, 240_000);

  it('simulates a path without side effects', async () => {
    const customerId = randomUUID();
    const simulated = await call('POST', `${campaigns()}/journeys/${journeyId}/simulate`, e2e.analyst, {
      customerId,
      events: [
        {
          type: 'crm.purchase.recorded.v1',
          at: '2026-03-01T10:00:00.000Z',
          data: { firstPurchase: true, currency: 'CHF' },
        },
        { type: 'crm.purchase.recorded.v1', at: '2026-03-06T10:00:00.000Z', data: { firstPurchase: false } },
      ],
    });
    expect(simulated.status).toBe(200);
    expect(simulated.body.timeline.map((s: { path: string[] }) => s.path)).toEqual([
      ['wait-3d'],
      ['email', 'await-purchase'],
      ['thanks'],
    ]);
    expect(simulated.body.converted).toBe(true);
    expect(await runsOf(customerId)).toEqual([]);
  });
});
