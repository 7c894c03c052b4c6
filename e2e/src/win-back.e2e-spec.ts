import { randomUUID } from 'node:crypto';
import { Topics } from '@crm/contracts';
import { eventually, startSmtpCapture, type SmtpCapture } from '@crm/testing';
import { call, daysAgo } from './http';
import { e2eSession } from './session';

/**
 * Win-back (handbook §5) end to end, with e-mail over a real SMTP server the test starts: core customers go
 * silent (tagging's sweep, 100 days on, moves them to decline) → they enter the journey (10 % held out, two
 * template variants) → wait 3 days on the campaigns clock, through a kill and restart of growth-campaigns →
 * an e-mail in the customer's language, captured by the SMTP server; a customer for whom it is night waits
 * for the end of quiet hours; the held-out customer gets nothing → one buys: converted, exited.
 */
const env: Record<string, string> = {
  CLOCK_CONTROL: 'true',
  TAGGING_ALLOW_FUTURE_SWEEPS: 'true',
  CONTACT_QUIET_HOURS: '21:00-08:00',
};
let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  env.SMTP_URL = smtp.url;
});
afterAll(() => smtp?.stop());
const e2e = e2eSession('e2e-win-back', [Topics.careActions], { env });

const run = randomUUID().slice(0, 6);
const journeyId = `win-back-${run}`;
const owner = `am-wb-${run}`;
const DAY = 86_400_000;
let replicaBase: string | undefined;
const campaigns = () => replicaBase ?? e2e.platform.url('growth-campaigns');
const profile = () => e2e.platform.url('customer-profile');
const tagging = () => e2e.platform.url('tagging');

const definition = {
  name: 'Win-back: a core customer gone silent',
  entry: { event: 'crm.lifecycle-stage.changed.v1', match: { stage: 'decline' } },
  holdoutPercent: 10,
  variants: [
    { id: 'A', weight: 50 },
    { id: 'B', weight: 50 },
  ],
  goal: { event: 'crm.purchase.recorded.v1', withinDays: 30 },
  exitOn: ['crm.purchase.recorded.v1', 'crm.customer.erased.v1'],
  start: 'wait-3d',
  steps: {
    'wait-3d': { type: 'wait', duration: '3d', next: 'email' },
    email: {
      type: 'action',
      action: {
        kind: 'touch',
        channel: 'email',
        purpose: 'marketing',
        template: { A: `${journeyId}-a`, B: `${journeyId}-b` },
      },
      next: 'ask-owner',
    },
    'ask-owner': {
      type: 'action',
      action: { kind: 'task', detail: 'call about the win-back offer' },
      next: 'open-ticket',
    },
    'open-ticket': {
      type: 'action',
      action: { kind: 'ticket', ticketType: 'follow-up', subject: 'win-back: what would bring you back?' },
      next: 'await-purchase',
    },
    'await-purchase': {
      type: 'waitForEvent',
      event: 'crm.purchase.recorded.v1',
      timeout: '14d',
      next: 'done',
      onTimeout: 'done',
    },
    done: { type: 'exit' },
  },
};

interface Customer {
  id: string;
  email: string;
  variant: string;
  holdout: boolean;
  locale: 'en' | 'zh-CN';
  timeZone: string;
  night: boolean;
}

/** An Etc/GMT zone in which `at` is `hour` o'clock (Etc/GMT-8 is UTC+8). */
function zoneWhereHourIs(at: number, hour: number): string {
  const offset = ((((hour - new Date(at).getUTCHours()) % 24) + 24 + 11) % 24) - 11; // -11 … +12
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** The journey's e-mails to an address (the purchases' own touches, such as a tier welcome, are others). */
const journeyMails = (email: string) =>
  smtp.to(email).filter((m) => m.headers['x-crm-template']?.startsWith(`${journeyId}-`));

const runOf = async (id: string) =>
  (
    (await call('GET', `${campaigns()}/customers/${id}/journeys`, e2e.agent)).body as Array<{
      journeyId: string;
      holdout: boolean;
      variant: string;
      status: string;
      step: string;
      convertedAt: string | null;
      log: Array<{ input: string; path: string[]; touches: Array<{ outcome: string }> }>;
    }>
  ).find((r) => r.journeyId === journeyId);
const journeyTouches = async (id: string) =>
  (
    (await call('GET', `${campaigns()}/customers/${id}/care-actions`, e2e.agent)).body as Array<{
      playbook: string;
      status: string;
      reason: string | null;
    }>
  ).filter((a) => a.playbook === `journey:${journeyId}`);

describe('a win-back journey', () => {
  afterAll(async () => {
    await call('DELETE', `${campaigns()}/journeys/${journeyId}`, e2e.admin);
  });

  it('reaches silent core customers by e-mail after 3 days, honours holdout and quiet hours, and converts a buyer', async () => {
    // Templates in both languages; a template naming a variable nobody gives is refused, naming the field.
    const broken = await call('PUT', `${campaigns()}/templates/${journeyId}-a/en`, e2e.admin, {
      subject: 'We miss you',
      body: 'Dear {{ customer.name }}',
    });
    expect(broken.status).toBe(400);
    expect(broken.body.fields).toEqual([
      { field: 'body', messages: [expect.stringContaining('undefined variable: customer.name')] },
    ]);
    for (const [variant, en, zh] of [
      ['a', 'We miss you', '好久不见'],
      ['b', 'A gift to welcome you back', '回归礼遇'],
    ])
      for (const [locale, subject] of [
        ['en', en],
        ['zh-CN', zh],
      ]) {
        const put = await call(
          'PUT',
          `${campaigns()}/templates/${journeyId}-${variant}/${locale}`,
          e2e.admin,
          {
            subject: `${subject} ({{ touch.variant }})`,
            body: `${subject}: {{ links.offer }}\n{{ links.unsubscribe }}`,
          },
        );
        expect(put.status).toBe(200);
      }
    const preview = await call('POST', `${campaigns()}/templates/${journeyId}-b/preview`, e2e.agent, {
      locale: 'zh-CN',
    });
    expect(preview.status).toBe(200);
    expect(preview.body.subject).toBe('回归礼遇 (A)');
    expect((await call('PUT', `${campaigns()}/journeys/${journeyId}`, e2e.admin, definition)).status).toBe(
      200,
    );

    // When the e-mail step will run (the campaigns clock may have been moved by other files): 3 days on.
    const clockNow = Date.parse(
      (await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: 1 })).body.now,
    );
    // A week passes before they go silent (so the welcome touches of their purchases leave the 7-day budget).
    const silentAt = clockNow + 8 * DAY;
    const emailAt = silentAt + 3 * DAY + 10 * 60_000;

    // Customers until there is a held-out one and both variants; one is asleep (23:00) when it is due.
    const customers: Customer[] = [];
    const has = () => ({
      holdout: customers.some((c) => c.holdout),
      A: customers.filter((c) => !c.holdout && c.variant === 'A').length,
      B: customers.filter((c) => !c.holdout && c.variant === 'B').length,
    });
    for (let i = 0; i < 80; i++) {
      const need = has();
      if (need.holdout && need.A >= 2 && need.B >= 1) break;
      const email = `wb-${run}-${i}@customers.example`;
      const night = need.A === 1;
      const locale = i % 2 === 0 ? 'zh-CN' : 'en';
      const timeZone = zoneWhereHourIs(emailAt, night ? 23 : 12);
      const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
        externalRef: `WB-${run}-${i}`,
        kind: 'person',
        name: `Win-back Customer ${i}`,
        email,
        timeZone,
        locale,
        relationshipStartedAt: daysAgo(500),
        owner,
        consents: [
          { channel: 'email', purpose: 'marketing', granted: true },
          { channel: 'phone', purpose: 'marketing', granted: true },
        ],
      });
      expect(registered.status).toBe(201);
      const id = registered.body.id as string;
      const simulated = await call('POST', `${campaigns()}/journeys/${journeyId}/simulate`, e2e.analyst, {
        customerId: id,
        events: [],
      });
      expect(simulated.status).toBe(200);
      const { variant, holdout } = simulated.body as { variant: string; holdout: boolean };
      // A night-time zone is only for the second A customer: anyone else there would wait too.
      const wanted = night
        ? !holdout && variant === 'A'
        : holdout
          ? !need.holdout
          : variant === 'A'
            ? need.A < 1
            : need.B < 1;
      if (wanted) customers.push({ id, email, variant, holdout, locale, timeZone, night });
    }
    expect(has()).toEqual({ holdout: true, A: 2, B: 1 });
    const sleeper = customers.find((c) => c.night)!;
    expect(sleeper).toBeDefined();

    // Core customers: four orders of 15,000 in the last 40 days.
    for (const c of customers)
      for (const [n, days] of [40, 30, 20, 10].entries()) {
        const bought = await call('POST', `${profile()}/customers/${c.id}/purchases`, e2e.agent, {
          orderId: `WB-${run}-${c.id.slice(0, 8)}-${n}`,
          amount: 15000,
          currency: 'EUR',
          occurredAt: daysAgo(days),
          items: [{ sku: 'WB-1', category: 'pumps', quantity: 1, unitPrice: 15000 }],
        });
        expect(bought.status).toBe(201);
      }
    await eventually(
      'every customer is core and mature',
      async () => {
        for (const c of customers) {
          const scores = (await call('GET', `${tagging()}/customers/${c.id}`, e2e.agent)).body;
          if (scores?.valueLoyaltySegment !== 'core' || scores?.lifecycleStage !== 'maturity') return false;
        }
        return true;
      },
      60_000,
      500,
    );

    // The purchases' own touches (tier welcomes) went out by e-mail; none is the journey's.
    expect(customers.flatMap((c) => journeyMails(c.email))).toEqual([]);
    expect(
      (await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: silentAt - clockNow })).status,
    ).toBe(200);

    // They go silent: the sweep, 100 days on, moves them to decline; they enter.
    const sweep = await call('POST', `${tagging()}/sweeps`, e2e.admin, {
      asOf: new Date(Date.now() + 100 * DAY).toISOString(),
    });
    expect(sweep.status).toBe(200);
    await eventually(
      'every customer entered and waits 3 days',
      async () => (await Promise.all(customers.map((c) => runOf(c.id)))).every((r) => r?.step === 'wait-3d'),
      60_000,
      500,
    );
    for (const c of customers)
      expect(await runOf(c.id)).toMatchObject({ variant: c.variant, holdout: c.holdout });
    expect(customers.flatMap((c) => journeyMails(c.email))).toEqual([]);

    // The win-back playbook also asked the owner to call each of them within 24 h (handbook §5); one is called
    // once the deadline is on record (a contact meets only deadlines set before it, as an owner sees the task first).
    const buyer = customers.find((c) => !c.holdout && !c.night)!;
    const deadlinesOfBuyer = async () =>
      (await call('GET', `${campaigns()}/customers/${buyer.id}/deadlines`, e2e.agent)).body as Array<{
        kind: string;
        status: string;
      }>;
    await eventually(
      "the buyer's contact deadline is open",
      async () => (await deadlinesOfBuyer()).some((d) => d.kind === 'contact-overdue' && d.status === 'open'),
      30_000,
      250,
    );
    const called = await call(
      'POST',
      `${e2e.platform.url('interaction-log')}/customers/${buyer.id}/interactions`,
      e2e.agent,
      {
        occurredAt: new Date().toISOString(),
        channel: 'phone',
        direction: 'outbound',
        topic: 'win-back call',
        owner,
        status: 'done',
      },
    );
    expect(called.status).toBe(201);
    await eventually(
      "the call met the buyer's contact deadline",
      async () => (await deadlinesOfBuyer()).some((d) => d.kind === 'contact-overdue' && d.status === 'met'),
      30_000,
      250,
    );

    // growth-campaigns dies mid-journey; the clock passes the wait while it is down; a new process resumes.
    await e2e.platform.processes.get('growth-campaigns')!.kill('SIGKILL');
    replicaBase = undefined;
    const replica = await e2e.platform.addReplica('growth-campaigns', 4426);
    replicaBase = 'http://127.0.0.1:4426/campaigns';
    expect(replica.running).toBe(true);
    const advanced = await call('POST', `${campaigns()}/clock/advance`, e2e.admin, {
      ms: emailAt - silentAt,
    });
    expect(advanced.status).toBe(200);

    const awake = customers.filter((c) => !c.holdout && !c.night);
    await eventually(
      'an e-mail for every treated customer who is awake',
      async () => awake.every((c) => journeyMails(c.email).length === 1),
      60_000,
      500,
    );
    for (const c of awake) {
      const [mail] = journeyMails(c.email);
      const subjects = {
        A: { en: 'We miss you (A)', 'zh-CN': '好久不见 (A)' },
        B: { en: 'A gift to welcome you back (B)', 'zh-CN': '回归礼遇 (B)' },
      } as const;
      expect(mail.subject).toBe(subjects[c.variant as 'A' | 'B'][c.locale]);
      expect(mail.text).toContain('https://crm.local/offers/');
      expect(mail.headers['list-unsubscribe']).toContain(c.id);
      expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@crm\.local>$/);
    }
    // The sleeper's touch is decided, and waits for 08:00 in their time zone; the held-out customer has none.
    await eventually(
      "the sleeper's touch is triggered, not sent",
      async () => (await journeyTouches(sleeper.id)).some((t) => t.status === 'triggered'),
      30_000,
      500,
    );
    expect(journeyMails(sleeper.email)).toEqual([]);
    const holdout = customers.find((c) => c.holdout)!;
    expect(await journeyTouches(holdout.id)).toEqual([]);
    // Its run took the same path: the e-mail and the owner's task, both held out.
    expect((await runOf(holdout.id))!.log[1].touches).toEqual([
      expect.objectContaining({ step: 'email', outcome: 'held-out' }),
      expect.objectContaining({ step: 'ask-owner', outcome: 'held-out' }),
      expect.objectContaining({ step: 'open-ticket', outcome: 'held-out' }),
    ]);

    // Morning comes for the sleeper (9 hours on): the e-mail goes.
    await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: 9 * 3_600_000 + 60_000 });
    await eventually(
      'the sleeper gets the e-mail after quiet hours',
      async () => journeyMails(sleeper.email).length === 1,
      60_000,
      500,
    );

    // The journey asked the owner to follow each treated customer's e-mail with a call; not the held-out one's.
    const journeyTasks = (
      (await call('GET', `${campaigns()}/owners/${owner}/tasks`, e2e.agent)).body as Array<{
        customerId: string;
        kind: string;
        detail: string;
      }>
    ).filter((t) => t.kind === 'journey-task');
    expect(journeyTasks.map((t) => t.customerId).sort()).toEqual(
      customers
        .filter((c) => !c.holdout)
        .map((c) => c.id)
        .sort(),
    );
    expect(journeyTasks[0].detail).toBe(`${journeyId}: call about the win-back offer`);
    // And feedback-sla opened a follow-up ticket for each of them, taken by the owner.
    await eventually(
      'a follow-up ticket per treated customer',
      async () => {
        for (const c of customers) {
          const tickets = (
            (await call('GET', `${e2e.platform.url('feedback-sla')}/customers/${c.id}/tickets`, e2e.agent))
              .body as Array<{ type: string; subject: string; owner: string }>
          ).filter((t) => t.subject === 'win-back: what would bring you back?');
          if (tickets.length !== (c.holdout ? 0 : 1)) return false;
          if (tickets[0] && (tickets[0].type !== 'follow-up' || tickets[0].owner !== owner)) return false;
        }
        return true;
      },
      30_000,
      500,
    );

    // The calls nobody made are tasks in the owner's queue; the one that was made is not.
    await eventually(
      'a contact-overdue task for each customer not called',
      async () => {
        const tasks = (await call('GET', `${campaigns()}/owners/${owner}/tasks`, e2e.agent)).body as Array<{
          customerId: string;
          kind: string;
        }>;
        const overdue = tasks.filter((t) => t.kind === 'contact-overdue').map((t) => t.customerId);
        return (
          overdue.length === customers.length - 1 &&
          customers.every((c) => overdue.includes(c.id) === (c !== buyer))
        );
      },
      30_000,
      500,
    );

    // One buys: converted and exited; the others still wait for a purchase.
    const bought = await call('POST', `${profile()}/customers/${buyer.id}/purchases`, e2e.agent, {
      orderId: `WB-${run}-${buyer.id.slice(0, 8)}-back`,
      amount: 900,
      currency: 'EUR',
      occurredAt: new Date().toISOString(),
      items: [{ sku: 'WB-2', category: 'pumps', quantity: 1, unitPrice: 900 }],
    });
    expect(bought.status).toBe(201);
    await eventually(
      'the buyer converted and exited',
      async () => {
        const r = await runOf(buyer.id);
        return Boolean(r?.convertedAt) && r?.status === 'exited';
      },
      30_000,
      500,
    );
    for (const c of customers.filter((c) => c !== buyer)) expect((await runOf(c.id))!.status).toBe('active');

    // Exactly one e-mail each, across the kill; the address was read at send time, audited as a delivery.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const c of customers) expect(journeyMails(c.email)).toHaveLength(c.holdout ? 0 : 1);
    const audit = await call('GET', `${profile()}/audit/personal-data?customerId=${buyer.id}`, e2e.admin);
    const sent = smtp.to(buyer.email).length;
    expect(audit.body).toHaveLength(sent);
    for (const entry of audit.body)
      expect(entry).toMatchObject({ action: 'deliver', fields: ['email'], actor: 'growth-campaigns' });
    for (const c of customers.filter((c) => !c.holdout))
      expect((await journeyTouches(c.id)).map((t) => t.status)).toEqual(['delivered']);
  }, 300_000);
});
