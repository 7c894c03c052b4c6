import { randomUUID } from 'node:crypto';
import { Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call, daysAgo } from './http';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
import { e2eSession } from './session';

/**
 * The maintenance calendar (handbook §4): two customers of one owner on the same cadence; the campaigns clock
 * moves past the cadence; the one nobody contacted becomes a task in the owner's queue (and an event), the one
 * with a logged phone call before the deadline does not.
 */
const e2e = e2eSession('e2e-cadences', [Topics.careActions], { env: { CLOCK_CONTROL: 'true' } });
const run = randomUUID().slice(0, 6);
const owner = `am-${run}`;
const DAY = 86_400_000;
const campaigns = () => e2e.platform.url('growth-campaigns');
const profile = () => e2e.platform.url('customer-profile');

interface Cadence {
  cadence: string | null;
  intervalDays: number | null;
  dueAt: string | null;
}

describe('maintenance cadences', () => {
  it('turns a missed cadence into a task for the owner, and a logged call before the deadline prevents it', async () => {
    const ids: string[] = [];
    for (const i of [0, 1]) {
      const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
        externalRef: `CD-${run}-${i}`,
        kind: 'company',
        name: `Cadence Customer ${i}`,
        relationshipStartedAt: daysAgo(30),
        ...(i === 0 ? { owner } : {}),
      });
      expect(registered.status).toBe(201);
      ids.push(registered.body.id as string);
    }
    // The second one gets its owner afterwards, through the API.
    const assigned = await call('PUT', `${profile()}/customers/${ids[1]}/owner`, e2e.agent, { owner });
    expect(assigned.status).toBe(200);
    expect(assigned.body.owner).toBe(owner);
    const refused = await call('PUT', `${profile()}/customers/${ids[1]}/owner`, e2e.agent, {
      owner: 'no spaces please',
    });
    expect(refused.status).toBe(400);

    const cadences: Cadence[] = [];
    await eventually(
      'both customers are on a cadence',
      async () => {
        cadences.length = 0;
        for (const id of ids) {
          const got = await call('GET', `${campaigns()}/customers/${id}/cadence`, e2e.agent);
          if (got.status !== 200 || !got.body.cadence) return false;
          cadences.push(got.body as Cadence);
        }
        return true;
      },
      30_000,
      500,
    );
    const interval = cadences[0].intervalDays!;
    expect(cadences[1]).toMatchObject({ cadence: cadences[0].cadence, intervalDays: interval });
    expect(
      ((await call('GET', `${campaigns()}/owners/${owner}/tasks`, e2e.agent)).body as unknown[]).length,
    ).toBe(0);

    // A day before the deadline, a phone call with the second customer.
    await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: (interval - 1) * DAY });
    const logged = await call(
      'POST',
      `${e2e.platform.url('interaction-log')}/customers/${ids[1]}/interactions`,
      e2e.agent,
      {
        occurredAt: new Date().toISOString(),
        channel: 'phone',
        direction: 'outbound',
        topic: 'quarterly check-in',
        owner,
        status: 'done',
      },
    );
    expect(logged.status).toBe(201);
    await eventually(
      'the call reset the second cadence',
      async () => {
        const got = (await call('GET', `${campaigns()}/customers/${ids[1]}/cadence`, e2e.agent))
          .body as Cadence;
        return Date.parse(got.dueAt!) > Date.parse(cadences[1].dueAt!) + (interval - 2) * DAY;
      },
      30_000,
      500,
    );

    // Past the first deadline.
    await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: 2 * DAY });
    let tasks: Array<{ customerId: string; kind: string; detail: string; overdue: boolean }> = [];
    await eventually(
      "the missed cadence is in the owner's queue",
      async () => {
        tasks = (await call('GET', `${campaigns()}/owners/${owner}/tasks`, e2e.agent)).body;
        return tasks.length > 0;
      },
      30_000,
      500,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    tasks = (await call('GET', `${campaigns()}/owners/${owner}/tasks`, e2e.agent)).body;
    expect(tasks).toEqual([
      expect.objectContaining({
        customerId: ids[0],
        kind: 'cadence-missed',
        overdue: true,
        detail: expect.stringContaining(cadences[0].cadence!),
      }),
    ]);
    await eventually(
      'the task event',
      async () =>
        e2e.observer.events.some(
          (e) =>
            e.type === 'crm.owner-task.created.v1' && e.body.customerId === ids[0] && e.body.owner === owner,
        ),
      15_000,
    );
    expect(
      e2e.observer.events.filter(
        (e) => e.type === 'crm.owner-task.created.v1' && e.body.customerId === ids[1],
      ),
    ).toEqual([]);
  }, 120_000);

  it('turns an overdue follow-up into a task for the interaction owner; a later contact prevents it', async () => {
    const followUpOwner = `am-fu-${run}`;
    const interactions = e2e.platform.url('interaction-log');
    const ids: string[] = [];
    for (const i of [0, 1]) {
      const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
        externalRef: `FU-${run}-${i}`,
        kind: 'company',
        name: `Follow-up Customer ${i}`,
        relationshipStartedAt: daysAgo(30),
      });
      expect(registered.status).toBe(201);
      ids.push(registered.body.id as string);
    }
    // A visit with each, the follow-up (a quote) due in 2 days.
    for (const id of ids) {
      const logged = await call('POST', `${interactions}/customers/${id}/interactions`, e2e.agent, {
        occurredAt: new Date().toISOString(),
        channel: 'visit',
        direction: 'outbound',
        topic: 'site visit',
        followUpAction: 'send the quote',
        followUpDueAt: new Date(Date.now() + 2 * DAY).toISOString(),
        owner: followUpOwner,
        status: 'in-progress',
      });
      expect(logged.status).toBe(201);
    }
    // growth-campaigns has the visits once their follow-ups are open deadlines.
    type Deadline = { kind: string; status: string };
    const deadlines = async (id: string) =>
      (await call('GET', `${campaigns()}/customers/${id}/deadlines`, e2e.agent)).body as Deadline[];
    for (const id of ids)
      await eventually(
        'the follow-up is an open deadline',
        async () => (await deadlines(id)).some((d) => d.kind === 'follow-up-overdue' && d.status === 'open'),
        30_000,
        250,
      );
    // A day on, the second customer gets the quote by e-mail: logged, so that follow-up is met.
    await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: DAY });
    const sent = await call('POST', `${interactions}/customers/${ids[1]}/interactions`, e2e.agent, {
      occurredAt: new Date().toISOString(),
      channel: 'email',
      direction: 'outbound',
      topic: 'quote sent',
      owner: followUpOwner,
      status: 'done',
    });
    expect(sent.status).toBe(201);
    await eventually(
      'the e-mail met the second follow-up',
      async () => (await deadlines(ids[1])).some((d) => d.kind === 'follow-up-overdue' && d.status === 'met'),
      30_000,
      250,
    );
    await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: DAY + 60_000 });
    await eventually(
      'the overdue follow-up is a task',
      async () =>
        e2e.observer.events.some(
          (e) =>
            e.type === 'crm.owner-task.created.v1' &&
            e.body.customerId === ids[0] &&
            e.body.kind === 'follow-up-overdue',
        ),
      30_000,
      500,
    );
    await sleep(1000);
    const tasks = (await call('GET', `${campaigns()}/owners/${followUpOwner}/tasks`, e2e.agent))
      .body as Array<{
      customerId: string;
      kind: string;
      overdue: boolean;
    }>;
    expect(tasks).toEqual([
      expect.objectContaining({ customerId: ids[0], kind: 'follow-up-overdue', overdue: true }),
    ]);
    expect(
      e2e.observer.events.filter(
        (e) => e.type === 'crm.owner-task.created.v1' && e.body.customerId === ids[1],
      ),
    ).toEqual([]);
  }, 120_000);

  it("fires a birthday once, 24 h before it begins in the customer's time zone, and schedules next year's", async () => {
    const clockNow = Date.parse(
      (await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: 1 })).body.now,
    );
    // The birthday is the Shanghai (UTC+8) date three days from now; that day begins at 16:00 UTC before it.
    const local = new Date(clockNow + 8 * 3_600_000 + 3 * DAY).toISOString().slice(0, 10);
    const beginsAt = Date.parse(`${local}T00:00:00Z`) - 8 * 3_600_000;
    const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
      externalRef: `BD-${run}`,
      kind: 'person',
      name: 'Birthday Customer',
      birthday: `1990-${local.slice(5)}`,
      timeZone: 'Asia/Shanghai',
      relationshipStartedAt: daysAgo(100),
      consents: [{ channel: 'email', purpose: 'marketing', granted: true }],
    });
    expect(registered.status).toBe(201);
    const id = registered.body.id as string;
    type Schedule = { trigger: string; occursAt: string; dueAt: string };
    let schedules: Schedule[] = [];
    await eventually(
      'the date triggers are scheduled',
      async () => {
        schedules = (await call('GET', `${campaigns()}/customers/${id}/date-triggers`, e2e.agent)).body;
        return schedules.length >= 3;
      },
      30_000,
      500,
    );
    expect(schedules.find((s) => s.trigger === 'birthday')).toMatchObject({
      occursAt: new Date(beginsAt).toISOString(),
      dueAt: new Date(beginsAt - DAY).toISOString(),
    });
    expect(schedules.map((s) => s.trigger).sort()).toEqual([
      'birthday',
      'days-since-registration',
      'membership-anniversary',
    ]);

    await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: 3 * DAY });
    await eventually(
      'the birthday came due',
      async () =>
        e2e.observer.events.some(
          (e) =>
            e.type === 'crm.date-trigger.due.v1' && e.body.customerId === id && e.body.trigger === 'birthday',
        ),
      30_000,
      500,
    );
    await eventually(
      'the birthday benefit is sent',
      async () =>
        (
          (await call('GET', `${campaigns()}/customers/${id}/care-actions`, e2e.agent)).body as Array<{
            playbook: string;
            status: string;
          }>
        ).some((a) => a.playbook === 'birthday-care' && a.status === 'delivered'),
      30_000,
      500,
    );
    await sleep(1000);
    expect(
      e2e.observer.events.filter(
        (e) =>
          e.type === 'crm.date-trigger.due.v1' && e.body.customerId === id && e.body.trigger === 'birthday',
      ),
    ).toHaveLength(1);
    const next = (await call('GET', `${campaigns()}/customers/${id}/date-triggers`, e2e.agent))
      .body as Schedule[];
    const nextBirthday = next.find((s) => s.trigger === 'birthday')!;
    expect(new Date(nextBirthday.occursAt).toISOString().slice(5, 10)).toBe(
      new Date(beginsAt).toISOString().slice(5, 10),
    );
    expect(Date.parse(nextBirthday.occursAt) - beginsAt).toBeGreaterThanOrEqual(365 * DAY);
  }, 120_000);

  it('reminds of a payment 3 days before it is due, thanks after payment, and drops the reminder of a paid order', async () => {
    const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
      externalRef: `PAY-${run}`,
      kind: 'company',
      name: 'Invoiced Customer',
      relationshipStartedAt: daysAgo(100),
    });
    expect(registered.status).toBe(201);
    const id = registered.body.id as string;
    const order = async (orderId: string, dueInDays: number) => {
      const recorded = await call('POST', `${profile()}/customers/${id}/purchases`, e2e.agent, {
        orderId,
        amount: 1200,
        currency: 'EUR',
        occurredAt: new Date().toISOString(),
        paymentDueAt: new Date(Date.now() + dueInDays * DAY).toISOString(),
        warrantyUntil: new Date(Date.now() + 400 * DAY).toISOString(),
        items: [{ sku: 'INV-1', category: 'pumps', quantity: 1, unitPrice: 1200 }],
      });
      expect(recorded.status).toBe(201);
    };
    await order(`INV-${run}-1`, 5);
    await order(`INV-${run}-2`, 5);
    type Schedule = { trigger: string; orderId: string | null };
    await eventually(
      'a payment reminder and warranty care scheduled per order',
      async () => {
        const schedules = (await call('GET', `${campaigns()}/customers/${id}/date-triggers`, e2e.agent))
          .body as Schedule[];
        return (
          schedules.filter((s) => s.trigger === 'payment-due').length === 2 &&
          schedules.filter((s) => s.trigger === 'warranty-expiry').length === 2
        );
      },
      30_000,
      500,
    );
    // The second order is paid (in two parts) before its reminder; more than is owed is refused.
    const pay = (paymentId: string, amount: number) =>
      call('POST', `${profile()}/customers/${id}/purchases/INV-${run}-2/payments`, e2e.agent, {
        paymentId,
        amount,
      });
    expect((await pay(`P-${run}-1`, 200)).status).toBe(201);
    const tooMuch = await pay(`P-${run}-2`, 1500);
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.fields).toEqual([
      { field: 'amount', messages: [`must be at most what is still owed on order INV-${run}-2 (1000)`] },
    ]);
    const rest = await pay(`P-${run}-2`, 1000);
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ paidInFull: true, paidOnOrder: 1200 });
    expect((await pay(`P-${run}-2`, 1000)).status).toBe(200);
    await eventually(
      'the paid order is thanked and its reminder dropped',
      async () => {
        const schedules = (await call('GET', `${campaigns()}/customers/${id}/date-triggers`, e2e.agent))
          .body as Schedule[];
        const actions = (await call('GET', `${campaigns()}/customers/${id}/care-actions`, e2e.agent))
          .body as Array<{
          playbook: string;
        }>;
        return (
          schedules
            .filter((s) => s.trigger === 'payment-due')
            .map((s) => s.orderId)
            .join() === `INV-${run}-1` && actions.filter((a) => a.playbook === 'payment-thanks').length === 1
        );
      },
      30_000,
      500,
    );

    // Three days on, the unpaid order's reminder goes out, once.
    await call('POST', `${campaigns()}/clock/advance`, e2e.admin, { ms: 3 * DAY });
    await eventually(
      'the payment reminder',
      async () =>
        (
          (await call('GET', `${campaigns()}/customers/${id}/care-actions`, e2e.agent)).body as Array<{
            playbook: string;
            status: string;
          }>
        ).some((a) => a.playbook === 'payment-reminder' && a.status === 'delivered'),
      30_000,
      500,
    );
    await sleep(1000);
    const due = e2e.observer.events.filter(
      (e) =>
        e.type === 'crm.date-trigger.due.v1' && e.body.customerId === id && e.body.trigger === 'payment-due',
    );
    expect(due.map((e) => e.body.orderId)).toEqual([`INV-${run}-1`]);
  }, 120_000);
});
