import { randomUUID } from 'node:crypto';
import { Topics } from '@crm/contracts';
import { eventually, startSmtpCapture, type SmtpCapture } from '@crm/testing';
import { call } from './http';
import { e2eSession } from './session';

/**
 * The seeded care playbooks are journeys entered on the platform's moments: listed, versioned and switched
 * off through the journeys API while the platform runs, their touches still named by the playbook.
 * Schemas of its own: this file changes a seeded journey.
 */
const run = randomUUID().slice(0, 6);
// The survey links' clock is moved and their rate limit is low, in these schemas only.
const env: Record<string, string> = { CLOCK_CONTROL: 'true', PUBLIC_RATE_LIMIT_PER_MINUTE: '12' };
let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  env.SMTP_URL = smtp.url;
});
afterAll(() => smtp?.stop());
const e2e = e2eSession('e2e-playbooks', [Topics.careActions, Topics.scoring], {
  env,
  schemaPrefix: `playbooks_${run}`,
});
const campaigns = () => e2e.platform.url('growth-campaigns');
const profile = () => e2e.platform.url('customer-profile');
const referral = () => e2e.platform.url('referral');
const tagging = () => e2e.platform.url('tagging');

interface CareAction {
  playbook: string;
  action: string;
  purpose: string;
}

async function customerWithFirstPurchase(n: number): Promise<string> {
  const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
    externalRef: `PB-${run}-${n}`,
    kind: 'person',
    name: `Playbook Customer ${n}`,
    email: `pb-${run}-${n}@example.test`,
    consents: [{ channel: 'email', purpose: 'marketing', granted: true }],
  });
  expect(registered.status).toBe(201);
  const id = registered.body.id as string;
  const bought = await call('POST', `${profile()}/customers/${id}/purchases`, e2e.agent, {
    orderId: `PB-${run}-${n}-1`,
    amount: 1000,
    currency: 'EUR',
    occurredAt: new Date().toISOString(),
    items: [{ sku: 'PB-1', category: 'seals', quantity: 1, unitPrice: 1000 }],
  });
  expect(bought.status).toBe(201);
  // growth-campaigns has handled the purchase once it scheduled the days-without-purchase trigger.
  await eventually(
    'growth-campaigns handled the purchase',
    async () =>
      ((await call('GET', `${campaigns()}/customers/${id}/date-triggers`, e2e.agent)).body ?? []).some(
        (t: { trigger: string }) => t.trigger === 'days-without-purchase',
      ),
    30_000,
  );
  return id;
}

const careActions = async (id: string): Promise<CareAction[]> =>
  (await call('GET', `${campaigns()}/customers/${id}/care-actions`, e2e.agent)).body;

describe('playbooks as journeys', () => {
  it('lists the seeded playbooks as journeys, runs a new version on the next trigger, and stops when switched off', async () => {
    const playbooks = (await call('GET', `${campaigns()}/playbooks`, e2e.analyst)).body as Array<{
      id: string;
      journey: string;
      trigger: string;
      contactDueHours: number | null;
      enabled: boolean;
    }>;
    expect(playbooks.length).toBe(16);
    expect(playbooks.find((p) => p.id === 'level-welcome')).toMatchObject({ trigger: 'membership-upgraded' });
    expect(playbooks.find((p) => p.id === 'exclusive-advisor')).toMatchObject({
      journey: 'exclusive-advisor',
      trigger: 'tier-entered:high-value',
      contactDueHours: 48,
      enabled: true,
    });
    const seeded = (await call('GET', `${campaigns()}/journeys/onboarding`, e2e.analyst)).body;
    expect(seeded).toMatchObject({ version: 1, createdBy: 'seed' });
    expect(seeded.definition.entry).toEqual({ trigger: 'first-purchase' });

    // Version 1: the onboarding touch, named by its playbook, and a completed run of the journey.
    const first = await customerWithFirstPurchase(1);
    await eventually(
      'the onboarding touch',
      async () => (await careActions(first)).some((a) => a.playbook === 'onboarding'),
      10_000,
    );
    // (The purchase's satisfaction survey is another seeded journey's touch: look at onboarding's only.)
    expect(
      (await careActions(first)).filter((a) => a.playbook === 'onboarding').map((a) => [a.action, a.purpose]),
    ).toEqual([['onboarding-path', 'service']]);
    const runs = (await call('GET', `${campaigns()}/customers/${first}/journeys`, e2e.agent)).body;
    expect(runs.filter((r: { journeyId: string }) => r.journeyId === 'onboarding')).toEqual([
      expect.objectContaining({ version: 1, status: 'completed' }),
    ]);

    // Version 2, while the platform runs: the touch, then 100 points.
    const changed = await call('PUT', `${campaigns()}/journeys/onboarding`, e2e.admin, {
      ...seeded.definition,
      steps: {
        touch: { ...seeded.definition.steps.touch, next: 'points' },
        points: { type: 'action', action: { kind: 'points', points: 100, reason: 'welcome' } },
      },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.version).toBe(2);
    const second = await customerWithFirstPurchase(2);
    await eventually(
      'the onboarding touch and its points',
      async () =>
        (await careActions(second)).some((a) => a.playbook === 'onboarding') &&
        (await call('GET', `${referral()}/customers/${second}/points`, e2e.agent)).body.entries.some(
          (e: { source: string; points: number }) => e.source === 'journey' && e.points === 100,
        ),
      20_000,
    );

    // Switched off: listed as disabled, and the next first purchase gets no onboarding.
    expect((await call('DELETE', `${campaigns()}/journeys/onboarding`, e2e.admin)).status).toBe(204);
    const listed = (await call('GET', `${campaigns()}/playbooks`, e2e.analyst)).body;
    expect(listed.find((p: { id: string }) => p.id === 'onboarding')).toMatchObject({ enabled: false });
    const third = await customerWithFirstPurchase(3);
    await new Promise((resolve) => setTimeout(resolve, 6000)); // past the journeys cache of another replica
    expect((await careActions(third)).filter((a) => a.playbook === 'onboarding')).toEqual([]);

    const unknown = await call('PUT', `${campaigns()}/journeys/vip-${run}`, e2e.admin, {
      name: 'VIP',
      entry: { trigger: 'tier-entered:platinum' },
      start: 'call',
      steps: { call: { type: 'action', action: { kind: 'task', detail: 'call' } } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message[0]).toContain('entry: unknown trigger "tier-entered:platinum"');
  });

  it('welcomes a member to a new level with its privileges, and shows the way to the next', async () => {
    // Silver's privileges are data: the welcome carries whatever they are when the level moves.
    const silver = ['priority service', `a ${run} birthday coupon`];
    const put = await call('PUT', `${tagging()}/membership-levels/silver`, e2e.admin, { privileges: silver });
    expect(put.status).toBe(200);
    const refused = await call('PUT', `${tagging()}/membership-levels/platinum`, e2e.admin, {
      privileges: ['x'],
    });
    expect(refused.status).toBe(400);
    const empty = await call('PUT', `${tagging()}/membership-levels/gold`, e2e.admin, { privileges: [] });
    expect(empty.body.fields.map((f: { field: string }) => f.field)).toEqual(['privileges']);

    const customerId = await customerWithFirstPurchase(4); // one order: bronze
    // growth-campaigns having handled the purchase says nothing of tagging: wait for its score too.
    await eventually(
      'tagging scored the first purchase',
      async () =>
        (await call('GET', `${tagging()}/customers/${customerId}`, e2e.agent)).body?.facts?.purchases12m ===
        1,
      30_000,
    );
    const bronze = (await call('GET', `${tagging()}/customers/${customerId}/membership`, e2e.agent)).body;
    expect(bronze).toMatchObject({
      level: 'bronze',
      next: {
        level: 'silver',
        privileges: silver,
        requirements: [{ fact: 'purchases12m', have: 1, need: 2, gap: 1 }],
      },
    });
    // A second order within the year: silver, announced with its privileges and welcomed by e-mail.
    const second = await call('POST', `${profile()}/customers/${customerId}/purchases`, e2e.agent, {
      orderId: `PB-${run}-4-2`,
      amount: 500,
      currency: 'EUR',
      occurredAt: new Date().toISOString(),
      items: [{ sku: 'PB-1', category: 'seals', quantity: 1, unitPrice: 500 }],
    });
    expect(second.status).toBe(201);
    await eventually(
      'membership changed to silver',
      async () =>
        e2e.observer.events.some(
          (e) =>
            e.type === 'crm.membership.changed.v1' &&
            e.body.customerId === customerId &&
            e.body.level === 'silver' &&
            e.body.direction === 'up',
        ),
      15_000,
    );
    const changed = e2e.observer.events.find(
      (e) => e.type === 'crm.membership.changed.v1' && e.body.customerId === customerId,
    )!;
    expect(changed.body).toMatchObject({ previousLevel: 'bronze', privileges: silver });
    await eventually(
      'the level welcome e-mail',
      async () => smtp.to(`pb-${run}-4@example.test`).some((m) => m.subject === 'Welcome to silver'),
      20_000,
    );
    const mail = smtp.to(`pb-${run}-4@example.test`).find((m) => m.subject === 'Welcome to silver')!;
    expect(mail.text).toContain(`priority service; a ${run} birthday coupon`);
    expect((await careActions(customerId)).filter((a) => a.playbook === 'level-welcome')).toHaveLength(1);
    const now = (await call('GET', `${tagging()}/customers/${customerId}/membership`, e2e.agent)).body;
    expect(now).toMatchObject({ level: 'silver', privileges: silver, next: { level: 'gold' } });
  });

  it('answers a survey from the link in its e-mail, once, with no staff token; refuses a forged, broken or expired link', async () => {
    const feedback = e2e.platform.url('feedback-sla');
    const linkIn = async (n: number) => {
      let token = '';
      await eventually(
        `the survey e-mail of customer ${n}`,
        async () => {
          const mail = smtp.to(`pb-${run}-${n}@example.test`).find((m) => m.subject === 'How did we do?');
          token = /\/public\/surveys\/([A-Za-z0-9._-]+)/.exec(mail?.text ?? '')?.[1] ?? '';
          return token !== '';
        },
        20_000,
      );
      return token;
    };
    const anonymous = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${feedback}/public/surveys/${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };

    const token = await linkIn(4);
    expect(await anonymous('GET', token)).toEqual({
      status: 200,
      body: {
        kind: 'csat',
        question: 'How satisfied are you with our service?',
        min: 1,
        max: 5,
        status: 'sent',
        items: [
          { item: 'speed', label: 'speed of response' },
          { item: 'solution', label: 'quality of the solution' },
          { item: 'attitude', label: 'friendliness' },
          { item: 'expertise', label: 'expertise' },
        ],
      },
    });
    const answered = await anonymous('POST', `${token}/answer`, { score: 5 });
    expect(answered).toEqual({ status: 200, body: { kind: 'csat', score: 5, thanks: true } });
    expect((await anonymous('POST', `${token}/answer`, { score: 1 })).status).toBe(409);
    const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect((await anonymous('GET', forged)).status).toBe(403);
    const broken = await anonymous('GET', 'not-a-token');
    expect(broken.status).toBe(400);
    expect(broken.body.fields.map((f: { field: string }) => f.field)).toEqual(['token']);

    // A week and a day on (feedback-sla's clock), an unanswered link has expired.
    const unanswered = await linkIn(1);
    expect((await call('POST', `${feedback}/clock/advance`, e2e.admin, { ms: 8 * 86_400_000 })).status).toBe(
      200,
    );
    expect((await anonymous('GET', unanswered)).status).toBe(410);

    // One address may ask 12 times a minute here: the rest are refused, not served.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await anonymous('GET', 'not-a-token')).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 400 && s !== 429)).toEqual([]);
  });
});
