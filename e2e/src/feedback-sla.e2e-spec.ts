import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { FeedbackScored, SlaBreached, TicketChanged, Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call } from './http';
import { e2eSession } from './session';

/** Feedback and SLA as SREs and agents see them, through REST, Kafka and /metrics only. */
const policies: string[] = [];
const e2e = e2eSession('e2e-feedback', [Topics.feedback], {
  env: { SLA_TIMER_POLL_MS: '100' },
  beforeStop: async () => {
    for (const id of policies) await call('DELETE', `${feedback()}/sla-policies/${id}`, e2e.admin);
  },
});
const feedback = () => e2e.platform.url('feedback-sla');
const run = randomUUID().slice(0, 6);

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${feedback().replace(/\/feedback$/, '')}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

async function policy(id: string, body: Record<string, unknown>) {
  const response = await call('PUT', `${feedback()}/sla-policies/${id}`, e2e.admin, { id, ...body });
  expect(response.status).toBe(200);
  policies.push(id);
}

async function registeredCustomer(): Promise<string> {
  const ref = `F${run}${randomUUID().slice(0, 4)}`.toUpperCase();
  const registered = await call('POST', `${e2e.platform.url('customer-profile')}/customers`, e2e.agent, {
    externalRef: ref,
    kind: 'person',
    name: `Customer ${ref}`,
  });
  expect(registered.status).toBe(201);
  const id = registered.body.id as string;
  await eventually(
    'tagging knows the customer',
    async () =>
      (await call('GET', `${e2e.platform.url('tagging')}/customers/${id}`, e2e.agent)).status === 200,
    10_000,
  );
  return id;
}

/** A customer's purchase, and the CSAT request it causes (sent: the first within the quiet period). */
async function csatRequest(customerId: string, order: string): Promise<string> {
  const bought = await call(
    'POST',
    `${e2e.platform.url('customer-profile')}/customers/${customerId}/purchases`,
    e2e.agent,
    {
      orderId: order,
      amount: 300,
      currency: 'EUR',
      occurredAt: new Date().toISOString(),
      items: [{ sku: 'R-1', category: 'seals', quantity: 1, unitPrice: 300 }],
    },
  );
  expect(bought.status).toBe(201);
  let id = '';
  await eventually(
    'the CSAT request',
    async () => {
      const surveys = (await call('GET', `${feedback()}/customers/${customerId}/surveys`, e2e.agent)).body;
      id =
        surveys.find((s: { orderId: string; status: string }) => s.orderId === order && s.status === 'sent')
          ?.id ?? '';
      return id !== '';
    },
    15_000,
  );
  return id;
}

describe('feedback and SLA, end to end', () => {
  it('shows one breach as an event, as a metric increase and in the report', async () => {
    const policyId = `e2e-breach-${run}`;
    await policy(policyId, {
      position: 0,
      ticketType: 'fault',
      priority: 'high', // a policy change re-times the open tickets it matches: keep other tests' out
      firstResponseSeconds: 1,
      resolutionSeconds: 3600,
    });
    const customerId = await registeredCustomer();
    await sleep(500); // tagging's rescore reaches feedback-sla: the ticket records the tier
    const breachesBefore = await metric('crm_sla_breaches_total', { policy: policyId });
    const opened = await call('POST', `${feedback()}/tickets`, e2e.agent, {
      customerId,
      type: 'fault',
      priority: 'high',
      subject: 'no power',
    });
    expect(opened.status).toBe(201);
    const ticketId = opened.body.id as string;
    await eventually(
      'the breach event',
      async () =>
        e2e.observer.events.some((e) => e.type === SlaBreached.type && e.body.ticketId === ticketId),
      10_000,
    );
    await sleep(1000);
    const events = e2e.observer.events.filter(
      (e) => e.type === SlaBreached.type && e.body.ticketId === ticketId,
    );
    expect(events.map((e) => e.body.metric)).toEqual(['first-response']);
    expect(events[0].body.dueAt).toBe(opened.body.firstResponseDueAt);
    expect(await metric('crm_sla_breaches_total', { policy: policyId, metric: 'first-response' })).toBe(
      breachesBefore + 1,
    );
    expect(await metric('crm_sla_outcomes_total', { policy: policyId, outcome: 'breached' })).toBe(1);

    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const byPolicy = await call(
      'GET',
      `${feedback()}/reports/sla?from=${from}&to=${to}&groupBy=policy`,
      e2e.analyst,
    );
    expect(byPolicy.status).toBe(200);
    expect(byPolicy.body.rows.find((r: { policy: string }) => r.policy === policyId)).toMatchObject({
      tickets: 1,
      firstResponse: { met: 0, breached: 1, withinSlaShare: 0 },
      resolution: { resolved: 0, rate: 0, meetsTarget: false },
    });
    const ticket = (await call('GET', `${feedback()}/tickets/${ticketId}`, e2e.agent)).body;
    expect(ticket.escalationLevel).toBe('department');
    const byTier = await call(
      'GET',
      `${feedback()}/reports/sla?from=${from}&to=${to}&groupBy=tier&period=day`,
      e2e.analyst,
    );
    const tierRow = byTier.body.rows.find(
      (r: { tier: string }) => r.tier === (ticket.customerTier ?? 'unknown'),
    );
    expect(tierRow.firstResponse.breached).toBeGreaterThanOrEqual(1);
    expect(tierRow.period).toBe(new Date(new Date(ticket.openedAt).toISOString().slice(0, 10)).toISOString());
    const bad = await call('GET', `${feedback()}/reports/sla?from=${to}&to=${from}`, e2e.analyst);
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([{ field: 'to', messages: ['must be after from'] }]);
  });

  it('pauses the clock while waiting on the customer and runs the next-response clock on their reply', async () => {
    await policy(`e2e-pause-${run}`, {
      position: 0,
      ticketType: 'suggestion',
      firstResponseSeconds: 3600,
      nextResponseSeconds: 600,
      resolutionSeconds: 5,
    });
    const customerId = randomUUID();
    const opened = (
      await call('POST', `${feedback()}/tickets`, e2e.agent, { customerId, type: 'suggestion' })
    ).body;
    await call('POST', `${feedback()}/tickets/${opened.id}/respond`, e2e.agent);
    await sleep(1000);
    const paused = (await call('POST', `${feedback()}/tickets/${opened.id}/wait-on-customer`, e2e.agent))
      .body;
    expect(paused).toMatchObject({
      status: 'waiting-on-customer',
      resolutionDueAt: null,
      clock: { paused: true },
    });
    await sleep(6000); // past the original resolution deadline
    expect(
      (await call('GET', `${feedback()}/tickets/${opened.id}`, e2e.agent)).body.breaches.resolution,
    ).toBeNull();
    const repliedAt = Date.now();
    const replied = (await call('POST', `${feedback()}/tickets/${opened.id}/customer-replied`, e2e.agent))
      .body;
    expect(replied.clock.paused).toBe(false);
    const remaining = new Date(replied.resolutionDueAt).getTime() - repliedAt;
    expect(remaining).toBeGreaterThan(2500);
    expect(remaining).toBeLessThan(4500);
    expect(new Date(replied.nextResponseDueAt).getTime() - repliedAt).toBeGreaterThan(595_000);
    const answered = (await call('POST', `${feedback()}/tickets/${opened.id}/respond`, e2e.agent)).body;
    expect(answered.nextResponseDueAt).toBeNull();
    const resolved = (await call('POST', `${feedback()}/tickets/${opened.id}/resolve`, e2e.agent)).body;
    expect(resolved).toMatchObject({
      status: 'resolved',
      breaches: { firstResponse: null, resolution: null, nextResponse: 0 },
    });
    await sleep(4000);
    expect(
      e2e.observer.events.filter((e) => e.type === SlaBreached.type && e.body.ticketId === opened.id),
    ).toEqual([]);
  });

  it('recomputes deadlines from the time already used when the priority changes', async () => {
    await policy(`e2e-urgent-${run}`, {
      position: 0,
      ticketType: 'consultation',
      priority: 'urgent',
      firstResponseSeconds: 600,
      resolutionSeconds: 7200,
    });
    const opened = (
      await call('POST', `${feedback()}/tickets`, e2e.agent, {
        customerId: randomUUID(),
        type: 'consultation',
      })
    ).body;
    expect(new Date(opened.firstResponseDueAt).getTime() - new Date(opened.openedAt).getTime()).toBe(
      3600_000,
    );
    const urgent = await call('PATCH', `${feedback()}/tickets/${opened.id}/priority`, e2e.agent, {
      priority: 'urgent',
    });
    expect(urgent.body.policy).toBe(`e2e-urgent-${run}`);
    const shift = new Date(urgent.body.firstResponseDueAt).getTime() - new Date(opened.openedAt).getTime();
    expect(Math.abs(shift - 600_000)).toBeLessThan(2000);
    const wrong = await call('PATCH', `${feedback()}/tickets/${opened.id}/priority`, e2e.agent, {
      priority: 'asap',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.fields[0].field).toBe('priority');
  });

  it('turns a low CSAT into a follow-up due in 48 h that tagging and growth-campaigns act on, once, and keeps the quiet period', async () => {
    const customerId = await registeredCustomer();
    const first = (
      await call('POST', `${feedback()}/tickets`, e2e.agent, { customerId, type: 'consultation' })
    ).body;
    await call('POST', `${feedback()}/tickets/${first.id}/resolve`, e2e.agent);
    const surveys = (await call('GET', `${feedback()}/customers/${customerId}/surveys`, e2e.agent)).body;
    expect(surveys).toEqual([expect.objectContaining({ kind: 'csat', status: 'sent', ticketId: first.id })]);
    const surveyId = surveys[0].id;
    const outOfRange = await call('POST', `${feedback()}/surveys/${surveyId}/answer`, e2e.agent, {
      score: 7,
    });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.fields).toEqual([
      { field: 'score', messages: ['must be a whole number from 1 to 5 for CSAT'] },
    ]);
    const answer = await call('POST', `${feedback()}/surveys/${surveyId}/answer`, e2e.agent, { score: 2 });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sentiment: 'dissatisfied', followUpTicketId: expect.any(String) });
    expect(
      (await call('POST', `${feedback()}/surveys/${surveyId}/answer`, e2e.agent, { score: 5 })).status,
    ).toBe(409);
    const followUp = (await call('GET', `${feedback()}/tickets/${answer.body.followUpTicketId}`, e2e.agent))
      .body;
    expect(followUp).toMatchObject({ type: 'follow-up', policy: 'follow-up', surveyId });
    expect(new Date(followUp.firstResponseDueAt).getTime() - new Date(followUp.openedAt).getTime()).toBe(
      48 * 3600_000,
    );

    await eventually(
      'the scored event',
      async () =>
        e2e.observer.events.some((e) => e.type === FeedbackScored.type && e.body.surveyId === surveyId),
      10_000,
    );
    await eventually(
      'tagging records the score',
      async () =>
        (await call('GET', `${e2e.platform.url('tagging')}/customers/${customerId}`, e2e.agent)).body
          .satisfaction?.csat?.score === 2,
      10_000,
    );
    await eventually(
      'a service-recovery care action',
      async () =>
        (
          await call(
            'GET',
            `${e2e.platform.url('growth-campaigns')}/customers/${customerId}/care-actions`,
            e2e.agent,
          )
        ).body.some(
          (a: { playbook: string; purpose: string }) =>
            a.playbook === 'service-recovery' && a.purpose === 'service',
        ),
      10_000,
    );

    const second = (
      await call('POST', `${feedback()}/tickets`, e2e.agent, { customerId, type: 'consultation' })
    ).body;
    await call('POST', `${feedback()}/tickets/${second.id}/resolve`, e2e.agent);
    const after = (await call('GET', `${feedback()}/customers/${customerId}/surveys`, e2e.agent)).body;
    const held = after.find((s: { ticketId: string }) => s.ticketId === second.id);
    expect(held).toMatchObject({
      status: 'suppressed',
      suppressedReason: expect.stringContaining('quiet period'),
    });
    expect(
      (await call('POST', `${feedback()}/surveys/${held.id}/answer`, e2e.agent, { score: 5 })).status,
    ).toBe(409);
  });

  it('reports CSAT per tier and in total for the surveys answered in a period, naming a bad query', async () => {
    const first = await csatRequest(await registeredCustomer(), `SR-${run}-1`);
    const second = await csatRequest(await registeredCustomer(), `SR-${run}-2`);
    // The period holds this test's answers only (the file's earlier tests answered before it).
    const from = new Date().toISOString();
    expect(
      (await call('POST', `${feedback()}/surveys/${first}/answer`, e2e.agent, { score: 5 })).status,
    ).toBe(200);
    expect(
      (await call('POST', `${feedback()}/surveys/${second}/answer`, e2e.agent, { score: 2 })).status,
    ).toBe(200);
    const to = new Date(Date.now() + 1000).toISOString();
    const report = await call(
      'GET',
      `${feedback()}/reports/satisfaction?from=${from}&to=${to}&groupBy=tier`,
      e2e.analyst,
    );
    expect(report.status).toBe(200);
    expect(report.body.total.csat).toEqual({ answers: 2, mean: 3.5 });
    expect(report.body.total.nps).toMatchObject({ answers: 0, score: null });
    expect(
      report.body.rows.reduce((sum: number, r: { csat: { answers: number } }) => sum + r.csat.answers, 0),
    ).toBe(2);
    const backwards = await call(
      'GET',
      `${feedback()}/reports/satisfaction?from=${to}&to=${from}`,
      e2e.analyst,
    );
    expect(backwards.body.fields).toEqual([{ field: 'to', messages: ['must be after from'] }]);
    const bogus = await call(
      'GET',
      `${feedback()}/reports/satisfaction?from=${from}&to=${to}&groupBy=colour`,
      e2e.analyst,
    );
    expect(bogus.status).toBe(400);
    expect(bogus.body.fields.map((f: { field: string }) => f.field)).toEqual(['groupBy']);
  });

  it('names the low items of a good answer in its follow-up, once, and refuses an unknown or out-of-scale item', async () => {
    const customerId = await registeredCustomer();
    const surveyId = await csatRequest(customerId, `SI-${run}`);
    const unknown = await call('POST', `${feedback()}/surveys/${surveyId}/answer`, e2e.agent, {
      score: 4,
      items: { colour: 3, speed: 9 },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.fields.map((f: { field: string }) => f.field)).toEqual([
      'items.colour',
      'items.speed',
    ]);
    const comment = `Courier ${run} was late twice and rude`;
    const answered = await call('POST', `${feedback()}/surveys/${surveyId}/answer`, e2e.agent, {
      score: 4,
      items: { speed: 1, solution: 5, attitude: 2 },
      comment,
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ sentiment: 'satisfied', followUpTicketId: expect.any(String) });
    const followUp = (await call('GET', `${feedback()}/tickets/${answered.body.followUpTicketId}`, e2e.agent))
      .body;
    expect(followUp).toMatchObject({
      type: 'follow-up',
      subject: 'remediation plan after CSAT 4: low on speed of response, friendliness',
    });
    await eventually(
      'feedback scored with the low items',
      async () =>
        e2e.observer.events.some((e) => e.type === FeedbackScored.type && e.body.surveyId === surveyId),
      10_000,
    );
    expect(
      e2e.observer.events.find((e) => e.type === FeedbackScored.type && e.body.surveyId === surveyId)!.body,
    ).toMatchObject({ score: 4, lowItems: ['speed', 'attitude'], commented: true });
    // The comment: in full for an agent, masked for an analyst, never in an event or in plaintext at rest.
    const surveyOf = async (token: string) =>
      (
        (await call('GET', `${feedback()}/customers/${customerId}/surveys`, token)).body as { id: string }[]
      ).find((s) => s.id === surveyId);
    expect(await surveyOf(e2e.agent)).toMatchObject({ comment });
    expect(await surveyOf(e2e.analyst)).toMatchObject({ comment: 'Co********de' });
    expect(e2e.observer.events.some((e) => JSON.stringify(e.body).includes(comment))).toBe(false);
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      const row = await db.query<{ sealed: string }>(
        'SELECT comment_sealed AS sealed FROM feedback_sla.survey_requests WHERE id = $1',
        [surveyId],
      );
      expect(row.rows[0].sealed).toMatch(/^v2:/);
      expect(row.rows[0].sealed).not.toContain(run);
    } finally {
      await db.end();
    }
    expect(
      (await call('POST', `${feedback()}/surveys/${surveyId}/answer`, e2e.agent, { score: 4 })).status,
    ).toBe(409);
  });

  it('queues open tickets by time to their next deadline, filters them, and reassigns with an audit trail', async () => {
    const customerId = await registeredCustomer();
    const owner = `q-${run}`;
    const open = async (type: string) => {
      const t = await call('POST', `${feedback()}/tickets`, e2e.agent, {
        customerId,
        type,
        owner,
        subject: type,
      });
      expect(t.status).toBe(201);
      return t.body.id as string;
    };
    const fault = await open('fault');
    const consultation = await open('consultation');
    const complaint = await open('complaint');
    type Item = { ticketId: string; nextDeadline: string | null; secondsLeft: number | null; type: string };
    const queue = async (query: string) =>
      (await call('GET', `${feedback()}/queue?${query}`, e2e.agent)).body as Item[];
    const mine = await queue(`owner=${owner}`);
    expect(mine.map((i) => i.ticketId)).toEqual([complaint, consultation, fault]);
    const deadlines = mine.map((i) => Date.parse(i.nextDeadline!));
    expect([...deadlines].sort((a, b) => a - b)).toEqual(deadlines);
    expect(mine.every((i) => i.secondsLeft! > 0)).toBe(true);
    expect((await queue(`owner=${owner}&type=complaint`)).map((i) => i.ticketId)).toEqual([complaint]);
    expect((await call('GET', `${feedback()}/queue?priority=whenever`, e2e.agent)).status).toBe(400);

    // Waiting on the customer, the complaint has no running deadline: it goes last.
    expect((await call('POST', `${feedback()}/tickets/${complaint}/respond`, e2e.agent)).status).toBe(200);
    expect(
      (await call('POST', `${feedback()}/tickets/${complaint}/wait-on-customer`, e2e.agent)).status,
    ).toBe(200);
    const waiting = await queue(`owner=${owner}`);
    expect(waiting.map((i) => i.ticketId)).toEqual([consultation, fault, complaint]);
    expect(waiting[2].nextDeadline).toBeNull();

    // Reassigned: in the other owner's queue, audited, announced.
    const assigned = await call('POST', `${feedback()}/tickets/${fault}/assign`, e2e.agent, {
      owner: `${owner}-b`,
      reason: 'fault specialist',
    });
    expect(assigned.status).toBe(200);
    expect((await queue(`owner=${owner}-b`)).map((i) => i.ticketId)).toEqual([fault]);
    const trail = (await call('GET', `${feedback()}/tickets/${fault}/assignments`, e2e.analyst)).body;
    expect(trail).toEqual([
      expect.objectContaining({ previousOwner: owner, owner: `${owner}-b`, reason: 'fault specialist' }),
    ]);
    await eventually(
      'ticket changed: reassigned',
      async () =>
        e2e.observer.events.some(
          (e) => e.type === TicketChanged.type && e.body.ticketId === fault && e.body.change === 'reassigned',
        ),
      10_000,
    );
    expect(
      e2e.observer.events.find(
        (e) => e.type === TicketChanged.type && e.body.ticketId === fault && e.body.change === 'reassigned',
      )!.body,
    ).toMatchObject({ owner: `${owner}-b`, previousOwner: owner });

    // The SLA report per owner, beside tier, type, policy and priority.
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const report = await call(
      'GET',
      `${feedback()}/reports/sla?from=${from}&to=${to}&groupBy=owner&period=all`,
      e2e.analyst,
    );
    expect(report.status).toBe(200);
    const rows = report.body.rows as { owner: string; tickets: number }[];
    expect(rows.find((r) => r.owner === owner)).toMatchObject({ tickets: 2 });
    expect(rows.find((r) => r.owner === `${owner}-b`)).toMatchObject({ tickets: 1 });

    // Automatic assignment: a low-priority suggestion opened without an owner goes to the least-loaded owner of
    // the first matching rule's pool (ties by the pool's order), audited as the rule's doing.
    const badRule = await call('PUT', `${feedback()}/assignment-rules/auto-${run}`, e2e.admin, {
      position: 0,
      match: { type: 'suggestion', priority: 'low' },
      owners: [],
    });
    expect(badRule.status).toBe(400);
    expect(badRule.body.fields[0].field).toBe('owners');
    const rule = await call('PUT', `${feedback()}/assignment-rules/auto-${run}`, e2e.admin, {
      position: 0,
      match: { type: 'suggestion', priority: 'low' },
      owners: [`${owner}-b`, `${owner}-c`],
    });
    expect(rule.status).toBe(200);
    try {
      const suggest = async () =>
        (
          await call('POST', `${feedback()}/tickets`, e2e.agent, {
            customerId,
            type: 'suggestion',
            priority: 'low',
          })
        ).body as { id: string; owner: string };
      const first = await suggest();
      expect(first.owner).toBe(`${owner}-c`); // -b already holds the fault ticket
      const second = await suggest();
      expect(second.owner).toBe(`${owner}-b`); // one each now: the pool's order decides
      expect((await call('GET', `${feedback()}/tickets/${first.id}/assignments`, e2e.agent)).body).toEqual([
        expect.objectContaining({ previousOwner: null, owner: `${owner}-c`, assignedBy: `rule:auto-${run}` }),
      ]);
    } finally {
      expect((await call('DELETE', `${feedback()}/assignment-rules/auto-${run}`, e2e.admin)).status).toBe(
        204,
      );
    }
  });
});
