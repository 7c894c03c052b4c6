import { randomUUID } from 'node:crypto';
import { ChurnRiskChanged, Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call } from './http';
import { eventsOnce } from './helpers';
import { e2eSession } from './session';

/**
 * Churn risk as an event: a customer whose contacts stopped and whose purchase grows late crosses the alert
 * threshold as tagging's clock moves on; the sweep announces it once, a journey entered on `churn-risk-high`
 * puts a retention call in the owner's queue, the segment language computes the same risk, and a purchase
 * brings it back to normal (announced once more). Schemas of its own: it moves a clock and adds a journey.
 */
const run = randomUUID().slice(0, 6);
const e2e = e2eSession('e2e-churn', [Topics.scoring], {
  env: { CLOCK_CONTROL: 'true' },
  schemaPrefix: `churn_${run}`,
});
const tagging = () => e2e.platform.url('tagging');
const campaigns = () => e2e.platform.url('growth-campaigns');
const profile = () => e2e.platform.url('customer-profile');
const DAY = 86_400_000;

const alertsOf = (customerId: string) =>
  eventsOnce(e2e, ChurnRiskChanged.type, (b) => b.customerId === customerId);

describe('churn risk', () => {
  it('is announced when contacts stop and the purchase grows late, acted on, and calmed by a purchase', async () => {
    const owner = `am-churn-${run}`;
    const journey = await call('PUT', `${campaigns()}/journeys/churn-${run}`, e2e.admin, {
      name: 'Retention call on churn risk',
      entry: { trigger: 'churn-risk-high' },
      start: 'call',
      steps: {
        call: { type: 'action', action: { kind: 'task', detail: 'retention call: churn risk high' } },
      },
    });
    expect(journey.status).toBe(200);

    const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
      externalRef: `CH-${run}`,
      kind: 'company',
      name: 'Quiet Industries',
      owner,
    });
    expect(registered.status).toBe(201);
    const customerId = registered.body.id as string;
    const purchase = (n: number, daysAgo: number) =>
      call('POST', `${profile()}/customers/${customerId}/purchases`, e2e.agent, {
        orderId: `CH-${run}-${n}`,
        amount: 5_000,
        currency: 'SEK',
        occurredAt: new Date(Date.now() - daysAgo * DAY).toISOString(),
        items: [{ sku: 'V-1', category: 'valves', quantity: 1, unitPrice: 5_000 }],
      });
    expect((await purchase(1, 130)).status).toBe(201);
    for (const daysAgo of [60, 50, 40]) {
      const contact = await call(
        'POST',
        `${e2e.platform.url('interaction-log')}/customers/${customerId}/interactions`,
        e2e.agent,
        {
          occurredAt: new Date(Date.now() - daysAgo * DAY).toISOString(),
          channel: 'phone',
          direction: 'outbound',
          topic: 'quarterly check-in',
          owner,
          status: 'done',
        },
      );
      expect(contact.status).toBe(201);
    }
    const prediction = async () =>
      (
        (await call('GET', `${tagging()}/customers/${customerId}`, e2e.agent)).body as {
          prediction?: Record<string, unknown>;
        }
      ).prediction;
    // One purchase 130 days ago against the 90-day fallback interval (0.22), three recent contacts: no fall.
    await eventually('the contacts are counted', async () => (await prediction())?.interactionsRecent === 3);
    expect(await prediction()).toMatchObject({
      churnRisk: 0.22,
      purchaseRisk: 0.22,
      interactionDecline: 0,
      alert: 'normal',
    });

    // Sixty days on, with no contact since: the purchase is 190 days old (0.56, under the 0.6 alert on its
    // own), and the three contacts are now in the window before the last 90 days, none in it (+0.3).
    const moved = await call('POST', `${tagging()}/clock/advance`, e2e.admin, { ms: 60 * DAY });
    expect(moved.status).toBe(200);
    const sweep = await call('POST', `${tagging()}/sweeps`, e2e.admin, {});
    expect(sweep.status).toBe(200);
    await eventually('churn risk announced high', async () => alertsOf(customerId).length >= 1, 30_000);
    expect(alertsOf(customerId)[0]).toMatchObject({
      level: 'high',
      churnRisk: 0.86,
      purchaseRisk: 0.56,
      interactionDecline: 1,
      interactionsRecent: 0,
      interactionsBefore: 3,
      threshold: 0.6,
      sweepRunId: expect.any(String),
    });
    expect(await prediction()).toMatchObject({ churnRisk: 0.86, alert: 'high' });

    // The segment language computes the same risk.
    const segment = await call('PUT', `${tagging()}/segments/churn-${run}`, e2e.admin, {
      kind: 'dynamic',
      expression: 'churn_risk >= 0.6',
      description: 'churn risk at or above the alert',
    });
    expect(segment.status).toBe(200);
    const why = (await call('GET', `${tagging()}/segments/churn-${run}/why/${customerId}`, e2e.agent)).body;
    expect(why).toMatchObject({
      matchesNow: true,
      conditions: [{ condition: 'churn_risk >= 0.6', matched: true, fact: 0.86 }],
    });

    // The journey on churn-risk-high put the retention call in the owner's queue.
    await eventually(
      "the retention call is in the owner's queue",
      async () =>
        (
          (await call('GET', `${campaigns()}/owners/${owner}/tasks`, e2e.agent)).body as { detail: string }[]
        ).some((t) => t.detail === `churn-${run}: retention call: churn risk high`),
      30_000,
    );

    // A purchase today: on time again; only the fall in contacts is left (0.3), announced normal, once.
    expect((await purchase(2, 0)).status).toBe(201);
    await eventually('churn risk back to normal', async () => alertsOf(customerId).length >= 2, 30_000);
    expect(alertsOf(customerId)[1]).toMatchObject({ level: 'normal', churnRisk: 0.3, purchaseRisk: 0 });
    expect(alertsOf(customerId)).toHaveLength(2);
    expect(await prediction()).toMatchObject({ churnRisk: 0.3, alert: 'normal' });
  });
});
