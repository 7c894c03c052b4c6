import { randomUUID } from 'node:crypto';
import { TicketChanged, TicketResolved, Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call, daysAgo } from './http';
import { referralCodeOf, registerCompany } from './helpers';
import { e2eSession } from './session';

/**
 * Goals, KPIs and the journey map from the platform's own data: three customers (two acquisition channels
 * with a cost, a referral that qualifies and one that does not, two tickets, a CSAT answer) give metrics
 * whose values are known; a goal shows its achievement; the monthly report compares months as JSON and CSV;
 * the journey map counts stage moves, conversion, time in stage and the growth funnel. Schemas of its own:
 * "everyone" is exactly these customers.
 */
const run = randomUUID().slice(0, 6);
const e2e = e2eSession('e2e-kpis', [Topics.feedback], { schemaPrefix: `kpis_${run}` });
const tagging = () => e2e.platform.url('tagging');
const profile = () => e2e.platform.url('customer-profile');
const feedback = () => e2e.platform.url('feedback-sla');
const MIN = 60_000;

const register = (ref: string, extra: Record<string, unknown>) =>
  registerCompany(e2e, `${ref}-${run}`, {
    consents: [{ channel: 'email', purpose: 'service', granted: true }],
    ...extra,
  });

async function buy(customerId: string, order: string, amount: number, category: string, when: string) {
  const response = await call('POST', `${profile()}/customers/${customerId}/purchases`, e2e.agent, {
    orderId: `${order}-${run}`,
    amount,
    currency: 'SEK',
    occurredAt: when,
    items: [{ sku: `${category}-1`, category, quantity: 1, unitPrice: amount }],
  });
  expect(response.status).toBe(201);
}

describe('goals, KPIs and the journey map', () => {
  let a = '';
  let ta = '';

  beforeAll(async () => {
    a = await register('KA', {
      acquisitionChannel: 'trade-fair',
      acquisitionCost: 1000,
      relationshipStartedAt: daysAgo(10),
    });
    const code = await referralCodeOf(e2e, a);
    const b = await register('KB', {
      acquisitionChannel: 'online-ads',
      acquisitionCost: 1000,
      relationshipStartedAt: daysAgo(8),
      referralCode: code,
    });
    await register('KC', { referralCode: code });
    await buy(a, 'A1', 3000, 'pumps', daysAgo(5));
    await buy(a, 'A2', 2000, 'valves', daysAgo(2));
    await buy(b, 'B1', 500, 'pumps', daysAgo(1));

    // Two tickets: A's answered and resolved, B's still open.
    const openTicket = async (customerId: string) => {
      const t = await call('POST', `${feedback()}/tickets`, e2e.agent, {
        customerId,
        type: 'consultation',
        subject: 'pump sizing',
      });
      expect(t.status).toBe(201);
      return t.body.id as string;
    };
    ta = await openTicket(a);
    await openTicket(b);
    expect((await call('POST', `${feedback()}/tickets/${ta}/respond`, e2e.agent)).status).toBe(200);
    expect((await call('POST', `${feedback()}/tickets/${ta}/resolve`, e2e.agent)).status).toBe(200);

    // A answers one CSAT survey with 4.
    let surveyId = '';
    await eventually('a CSAT request for A', async () => {
      const surveys = (await call('GET', `${feedback()}/customers/${a}/surveys`, e2e.agent)).body as {
        id: string;
        kind: string;
        status: string;
      }[];
      surveyId = surveys.find((s) => s.kind === 'csat' && s.status === 'sent')?.id ?? '';
      return surveyId !== '';
    });
    expect(
      (await call('POST', `${feedback()}/surveys/${surveyId}/answer`, e2e.agent, { score: 4 })).status,
    ).toBe(200);

    // Everything has reached tagging: the answer, the resolution, the qualified referral, the scores.
    const kpi = async (id: string, from = daysAgo(30)) =>
      (
        (
          await call(
            'GET',
            `${tagging()}/kpis?from=${from}&to=${new Date(Date.now() + MIN).toISOString()}`,
            e2e.analyst,
          )
        ).body?.metrics as { metric: string; value: number | null; sample: number }[] | undefined
      )?.find((m) => m.metric === id);
    await eventually(
      'the facts reach tagging',
      async () =>
        (await kpi('satisfaction'))?.sample === 1 &&
        (await kpi('resolution-rate'))?.value === 0.5 &&
        (await kpi('referral-success-rate'))?.value === 0.5 &&
        (await kpi('ltv'))?.value === 2750,
      30_000,
    );
  });

  it('computes each metric from the facts, per its definition, with the targets the handbook sets', async () => {
    const to = new Date(Date.now() + MIN).toISOString();
    const all = await call('GET', `${tagging()}/kpis?segment=all&from=${daysAgo(30)}&to=${to}`, e2e.analyst);
    expect(all.status).toBe(200);
    const byId = Object.fromEntries(
      (all.body.metrics as { metric: string; value: number; breakdown?: unknown[] }[]).map((m) => [
        m.metric,
        m,
      ]),
    );
    expect(byId.satisfaction).toMatchObject({ value: 4, sample: 1 });
    expect(byId['repurchase-rate']).toMatchObject({ value: 0.5, sample: 2 });
    expect(byId.ltv).toMatchObject({ value: 2750, sample: 2 });
    expect(byId.arpu).toMatchObject({ value: 1833.33, sample: 3 });
    expect(byId['resolution-rate']).toMatchObject({
      value: 0.5,
      sample: 2,
      target: 0.95,
      meetsTarget: false,
    });
    expect(byId['first-response-minutes']).toMatchObject({ sample: 1 });
    expect(byId['first-response-minutes'].value).toBeLessThan(5);
    expect(byId['referral-success-rate']).toMatchObject({
      value: 0.5,
      sample: 2,
      target: 0.2,
      meetsTarget: true,
    });
    expect(byId['channel-roi']).toMatchObject({ value: 2.75, sample: 2, target: 2, meetsTarget: true });
    expect(byId['channel-roi'].breakdown).toEqual([
      { group: 'online-ads', customers: 1, revenue: 500, cost: 1000, roi: 0.5, belowTarget: true },
      { group: 'trade-fair', customers: 1, revenue: 5000, cost: 1000, roi: 5, belowTarget: false },
    ]);
    expect(byId['interaction-frequency']).toMatchObject({ value: 0, sample: 3 });
    // The ticket's lifecycle, as product teams and SREs follow it.
    const ticketEvents = e2e.observer.events.filter((e) => e.body.ticketId === ta);
    expect(ticketEvents.find((e) => e.type === TicketChanged.type)?.body).toMatchObject({
      change: 'responded',
      status: 'responded',
    });
    expect(ticketEvents.find((e) => e.type === TicketResolved.type)?.body).toMatchObject({
      customerId: a,
      firstResponseBreached: false,
      resolutionBreached: false,
    });
    expect(Object.keys(byId).sort()).toEqual(
      ((await call('GET', `${tagging()}/kpis/definitions`, e2e.analyst)).body as { id: string }[])
        .map((d) => d.id)
        .sort(),
    );
    // Cross-sell: in the last four days A bought valves, new to them after pumps; B had bought nothing before.
    const recent = await call('GET', `${tagging()}/kpis?from=${daysAgo(4)}&to=${to}`, e2e.analyst);
    expect(recent.body.metrics.find((m: { metric: string }) => m.metric === 'cross-sell-rate')).toMatchObject(
      {
        value: 1,
        sample: 1,
      },
    );
    const csv = await fetch(`${tagging()}/kpis?from=${daysAgo(30)}&to=${to}&format=csv`, {
      headers: { authorization: `Bearer ${e2e.analyst}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('metric,name,unit,value,sample,target,meets_target,from,to,segment');
    expect(lines.find((l) => l.startsWith('ltv,'))).toMatch(/^ltv,LTV,money,2750,2,/);
    for (const [query, field] of [
      ['segment=vip', 'segment'],
      [`from=${to}&to=${daysAgo(1)}`, 'from'],
      ['to=yesterday', 'to'],
    ])
      expect((await call('GET', `${tagging()}/kpis?${query}`, e2e.analyst)).body.fields[0].field).toBe(field);
  });

  it('tracks a goal with its achievement, and reports the month against the month before (JSON and CSV)', async () => {
    const bad = await call('PUT', `${tagging()}/goals/csat-${run}`, e2e.admin, {
      name: 'x',
      metric: 'happiness',
      segment: 'everyone',
      baseline: 1,
      target: 2,
      owner: 'head-of-service',
      reviewOn: '2027-02-30',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['metric']);
    const goal = await call('PUT', `${tagging()}/goals/csat-${run}`, e2e.admin, {
      name: 'CSAT of everyone',
      metric: 'satisfaction',
      segment: 'all',
      baseline: 3.5,
      target: 4.5,
      owner: 'head-of-service',
      reviewOn: '2027-03-31',
      gapNote: 'one answer so far',
    });
    expect(goal.status).toBe(200);
    expect(goal.body).toMatchObject({ current: 4, achievement: 50, gap: 0.5, reviewOn: '2027-03-31' });
    expect(
      (
        await call('PUT', `${tagging()}/goals/roi-${run}`, e2e.admin, {
          name: 'ROI',
          metric: 'channel-roi',
          segment: 'vip',
          baseline: 1,
          target: 2,
          owner: 'head-of-growth',
          reviewOn: '2027-03-31',
        })
      ).body.fields[0].field,
    ).toBe('segment');

    const month = new Date().toISOString().slice(0, 7);
    const report = await call('GET', `${tagging()}/kpis/report?month=${month}`, e2e.analyst);
    expect(report.status).toBe(200);
    expect(report.body.goals).toEqual([
      expect.objectContaining({
        goal: `csat-${run}`,
        after: 4,
        afterSample: 1,
        before: null,
        beforeSample: 0,
        achievement: 50,
      }),
    ]);
    const csv = await fetch(`${tagging()}/kpis/report?month=${month}&format=csv`, {
      headers: { authorization: `Bearer ${e2e.analyst}` },
    });
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      `${month},csat-${run},CSAT of everyone,satisfaction,all,head-of-service,3.5,4.5,,4,,50,2027-03-31,one answer so far`,
    );
    expect(
      (await call('GET', `${tagging()}/kpis/report?month=2026-13`, e2e.analyst)).body.fields[0].field,
    ).toBe('month');
  });

  it('maps the journey: stage moves, conversion, time in stage and the growth funnel', async () => {
    const to = new Date(Date.now() + MIN).toISOString();
    const map = await call('GET', `${tagging()}/journey-map?from=${daysAgo(30)}&to=${to}`, e2e.analyst);
    expect(map.status).toBe(200);
    expect(map.body.transitions).toEqual(
      expect.arrayContaining([
        { from: null, to: 'acquisition', customers: 3, reactivations: 0 },
        { from: 'acquisition', to: 'growth', customers: 2, reactivations: 0 },
      ]),
    );
    expect(map.body.conversion[0]).toEqual({
      from: 'acquisition',
      to: 'growth',
      inStage: 3,
      moved: 2,
      droppedOff: 0,
      conversion: 0.6667,
      dropOff: 0,
    });
    expect(map.body.timeInStage[0]).toMatchObject({ stage: 'acquisition', stays: 2 });
    expect(map.body.timeInStage[0].medianDays).toBeLessThan(1);
    expect(map.body.funnel).toEqual([
      { step: 'acquire', customers: 3, fromPrevious: null },
      { step: 'activate', customers: 2, fromPrevious: 0.6667 },
      { step: 'retain', customers: 1, fromPrevious: 0.5 },
      { step: 'convert', customers: 1, fromPrevious: 1 },
      { step: 'refer', customers: 1, fromPrevious: 1 },
    ]);
  });
});
