import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { SlaBreached, TOPIC_CATALOG, Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call, daysAgo } from './http';
import { e2eSession } from './session';

/**
 * The purchase cascade through the six services, each its own process, using only REST APIs and Kafka:
 * profile → tagging → growth-campaigns → interaction-log; referral; feedback-sla.
 */
// Quiet period 0: every purchase here is asked for its survey, so the correlation test sees feedback-sla.
const e2e = e2eSession(
  'e2e-observer',
  TOPIC_CATALOG.map((t) => t.name),
  { env: { SLA_TIMER_POLL_MS: '100', SURVEY_QUIET_DAYS: '0' } },
);

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();

async function registerCustomer(externalRef: string, extra: Record<string, unknown> = {}) {
  const response = await call('POST', `${e2e.platform.url('customer-profile')}/customers`, e2e.agent, {
    externalRef,
    kind: 'company',
    name: `${externalRef} Ltd.`,
    email: `${externalRef.toLowerCase()}@example.test`,
    relationshipStartedAt: daysAgo(730),
    consents: [{ channel: 'email', purpose: 'marketing', granted: true }],
    ...extra,
  });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

function purchase(orderId: string, amount: number, occurredAt: string) {
  return {
    orderId,
    amount,
    currency: 'EUR',
    occurredAt,
    items: [{ sku: 'PUMP-200', category: 'pumps', quantity: 1, unitPrice: amount }],
  };
}

describe('the purchase cascade, end to end', () => {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const correlationId = `e2e-purchase-${suffix}`;
  let customerA: string;

  it('turns purchases of 110,000 into high-value, a stage transition, a care action and a logged touch within 10 s', async () => {
    customerA = await registerCustomer(`A-${suffix}`);
    const profile = e2e.platform.url('customer-profile');
    // Registration and purchases travel on different topics; a person would see A in tagging first.
    await eventually(
      'A known to tagging as a new customer',
      async () =>
        (await call('GET', `${e2e.platform.url('tagging')}/customers/${customerA}`, e2e.agent)).body
          ?.lifecycleStage === 'acquisition',
      10_000,
    );
    expect(
      (
        await call(
          'POST',
          `${profile}/customers/${customerA}/purchases`,
          e2e.agent,
          purchase(`A1-${suffix}`, 60000, daysAgo(30)),
        )
      ).status,
    ).toBe(201);
    const started = Date.now();
    const second = await call(
      'POST',
      `${profile}/customers/${customerA}/purchases`,
      e2e.agent,
      purchase(`A2-${suffix}`, 50000, daysAgo(1)),
      {
        'x-correlation-id': correlationId,
      },
    );
    expect(second.status).toBe(201);

    await eventually(
      'A scored high-value',
      async () =>
        (await call('GET', `${e2e.platform.url('tagging')}/customers/${customerA}`, e2e.agent)).body
          ?.valueTier === 'high-value',
      10_000,
    );
    const history = (
      await call('GET', `${e2e.platform.url('tagging')}/customers/${customerA}/stage-history`, e2e.agent)
    ).body;
    expect(history.map((h: { stage: string }) => h.stage)).toEqual(['acquisition', 'growth']);
    await eventually(
      'an exclusive advisor care action',
      async () => {
        const actions = (
          await call(
            'GET',
            `${e2e.platform.url('growth-campaigns')}/customers/${customerA}/care-actions`,
            e2e.agent,
          )
        ).body;
        return actions.some(
          (a: { playbook: string; status: string }) =>
            a.playbook === 'exclusive-advisor' && a.status === 'delivered',
        );
      },
      10_000,
    );
    await eventually(
      'the automated touch on the timeline',
      async () => {
        const timeline = (
          await call(
            'GET',
            `${e2e.platform.url('interaction-log')}/customers/${customerA}/timeline`,
            e2e.agent,
          )
        ).body;
        return timeline.items.some(
          (i: { automated: boolean; topic: string }) =>
            i.automated && i.topic.startsWith('exclusive-advisor'),
        );
      },
      10_000,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('re-scores a purchase recorded today that happened 40 days ago, and welcomes nobody for it', async () => {
    const late = await registerCustomer(`L-${suffix}`);
    const recorded = await call(
      'POST',
      `${e2e.platform.url('customer-profile')}/customers/${late}/purchases`,
      e2e.agent,
      purchase(`L1-${suffix}`, 110000, daysAgo(40)),
    );
    expect(recorded.status).toBe(201);
    // The score is right: the customer is high-value; the re-scoring is marked as caused by a past fact.
    await eventually(
      'the historical re-scoring to high-value',
      async () =>
        e2e.observer.events.some(
          (e) =>
            e.type === 'crm.customer.rescored.v1' &&
            e.body.customerId === late &&
            e.body.current.valueTier === 'high-value' &&
            header(e.message, 'ce_historical') === 'true',
        ),
      15_000,
    );
    expect(
      (await call('GET', `${e2e.platform.url('tagging')}/customers/${late}`, e2e.agent)).body.valueTier,
    ).toBe('high-value');
    // growth-campaigns has read the re-scoring (its customer state follows it) and touched nobody.
    await eventually(
      'growth-campaigns read the state',
      async () =>
        e2e.observer.events.some(
          (e) =>
            e.type === 'crm.customer-state.snapshot.v1' &&
            e.body.customerId === late &&
            e.body.valueTier === 'high-value',
        ),
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const actions = (
      await call('GET', `${e2e.platform.url('growth-campaigns')}/customers/${late}/care-actions`, e2e.agent)
    ).body;
    expect(actions).toEqual([]);
  });

  it("qualifies B's referral on B's first purchase, sent twice, and rewards each side exactly once", async () => {
    const referral = e2e.platform.url('referral');
    let code = '';
    await eventually(
      "A's referral code",
      async () => {
        const response = await call('GET', `${referral}/customers/${customerA}/code`, e2e.agent);
        code = response.body?.code;
        return response.status === 200;
      },
      10_000,
    );
    const customerB = await registerCustomer(`B-${suffix}`, {
      referralCode: code,
      relationshipStartedAt: daysAgo(0),
    });
    const order = purchase(`B1-${suffix}`, 1200, daysAgo(0));
    const first = await call(
      'POST',
      `${e2e.platform.url('customer-profile')}/customers/${customerB}/purchases`,
      e2e.agent,
      order,
    );
    const again = await call(
      'POST',
      `${e2e.platform.url('customer-profile')}/customers/${customerB}/purchases`,
      e2e.agent,
      order,
    );
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    const rewards = async (id: string) =>
      (await call('GET', `${referral}/customers/${id}/rewards`, e2e.agent)).body as {
        role: string;
        points: number;
      }[];
    await eventually(
      'both rewards',
      async () => (await rewards(customerA)).length === 1 && (await rewards(customerB)).length === 1,
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await rewards(customerA)).map((r) => r.role)).toEqual(['referrer']);
    expect((await rewards(customerB)).map((r) => r.role)).toEqual(['referee']);
    const referrals = (await call('GET', `${referral}/customers/${customerB}/referrals`, e2e.agent)).body;
    expect(referrals.referrals).toEqual([
      expect.objectContaining({ role: 'referee', referrerId: customerA, status: 'qualified' }),
    ]);
  });

  it('emits sla breached once for a complaint under a one-second policy, and the ticket shows it', async () => {
    const feedback = e2e.platform.url('feedback-sla');
    const policy = await call(
      'PUT',
      `${feedback}/sla-policies/e2e-complaint-${suffix.toLowerCase()}`,
      e2e.admin,
      {
        id: `e2e-complaint-${suffix.toLowerCase()}`,
        position: 0,
        ticketType: 'complaint',
        // Urgent only: a policy change re-times every open ticket it matches, other tests' complaints too.
        priority: 'urgent',
        firstResponseSeconds: 1,
        resolutionSeconds: 3600,
        requiresOwner: true,
      },
    );
    expect(policy.status).toBe(200);
    const policyId = `e2e-complaint-${suffix.toLowerCase()}`;
    const metricBefore = await breachCount(feedback, policyId);
    const opened = await call('POST', `${feedback}/tickets`, e2e.agent, {
      customerId: customerA,
      type: 'complaint',
      priority: 'urgent',
      owner: 'agent-7',
      subject: 'late delivery',
    });
    expect(opened.status).toBe(201);
    const ticketId = opened.body.id as string;
    await eventually(
      'the breach on the ticket',
      async () =>
        (await call('GET', `${feedback}/tickets/${ticketId}`, e2e.agent)).body.breaches.firstResponse !==
        null,
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const breaches = e2e.observer.events.filter(
      (s) =>
        s.topic === Topics.feedback &&
        header(s.message, 'ce_type') === SlaBreached.type &&
        JSON.parse(s.message.value!.toString()).ticketId === ticketId,
    );
    expect(breaches).toHaveLength(1);
    const breach = JSON.parse(breaches[0].message.value!.toString());
    expect(breach.metric).toBe('first-response');
    expect(new Date(breach.dueAt).getTime() - new Date(opened.body.openedAt).getTime()).toBe(1000);
    expect(await breachCount(feedback, policyId)).toBe(metricBefore + 1);
    const removed = await call(
      'DELETE',
      `${feedback}/sla-policies/e2e-complaint-${suffix.toLowerCase()}`,
      e2e.admin,
    );
    expect(removed.status).toBe(204);
  });

  it("carries the purchase's correlation id on every event it caused, in every service", async () => {
    await eventually(
      'the caused events',
      async () => {
        const sources = new Set(
          e2e.observer.events
            .filter((s) => header(s.message, 'correlationid') === correlationId)
            .map((s) => header(s.message, 'ce_source')),
        );
        return [
          '/crm/customer-profile',
          '/crm/tagging',
          '/crm/growth-campaigns',
          '/crm/interaction-log',
          '/crm/feedback-sla',
        ].every((s) => sources.has(s));
      },
      10_000,
    );
    const caused = e2e.observer.events.filter((s) => header(s.message, 'correlationid') === correlationId);
    const ids = new Set(caused.map((s) => header(s.message, 'ce_id')));
    for (const event of caused) {
      expect(header(event.message, 'ce_subject')).toBe(customerA);
      expect(header(event.message, 'traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      if (header(event.message, 'ce_type') !== 'crm.purchase.recorded.v1')
        expect(ids).toContain(header(event.message, 'causationid'));
    }
    const traceIds = new Set(caused.map((s) => header(s.message, 'traceparent')!.split('-')[1]));
    expect(traceIds.size).toBe(1);
  });

  it('refuses a sweep as of a date in the future, naming the field', async () => {
    const asOf = new Date(Date.now() + 86_400_000).toISOString();
    const sweep = await call('POST', `${e2e.platform.url('tagging')}/sweeps`, e2e.admin, { asOf });
    expect(sweep.status).toBe(400);
    expect(sweep.body.fields).toEqual([{ field: 'asOf', messages: ['must not be in the future'] }]);
  });
});

async function breachCount(feedbackUrl: string, policy: string): Promise<number> {
  const base = feedbackUrl.replace(/\/feedback$/, '');
  const text = await (await fetch(`${base}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('crm_sla_breaches_total{') && line.includes(`policy="${policy}"`))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}
