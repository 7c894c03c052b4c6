import { randomUUID } from 'node:crypto';
import { PointsChanged, Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call } from './http';
import { e2eSession } from './session';

/**
 * Care points end to end: a purchase earns by the purchase rule, a journey grants points through the
 * ledger, a redemption happens once and never below zero, and unredeemed points expire on the referral
 * service's clock, each movement an event. Schemas of its own: this file moves a clock and changes a rule.
 */
const run = randomUUID().slice(0, 6);
const e2e = e2eSession('e2e-points', [Topics.referrals], {
  env: { CLOCK_CONTROL: 'true' },
  schemaPrefix: `points_${run}`,
});
const referral = () => e2e.platform.url('referral');
const campaigns = () => e2e.platform.url('growth-campaigns');
const profile = () => e2e.platform.url('customer-profile');
const DAY = 86_400_000;

/** One movement per idempotency key (the relay publishes at least once; consumers drop repeats by id). */
const movementsOf = (customerId: string) => {
  const seen = new Map<string, { movement: string; points: number; balance: number; source?: string }>();
  for (const e of e2e.observer.events)
    if (e.type === PointsChanged.type && e.body.customerId === customerId)
      seen.set(e.body.idempotencyKey as string, e.body as never);
  return [...seen.values()];
};

describe('care points', () => {
  afterAll(async () => {
    await call('DELETE', `${campaigns()}/journeys/points-${run}`, e2e.admin);
  });

  it('earns on a purchase and from a journey, redeems once and never below zero, expires on time', async () => {
    const journey = await call('PUT', `${campaigns()}/journeys/points-${run}`, e2e.admin, {
      name: 'First purchase bonus',
      entry: { event: 'crm.purchase.recorded.v1', match: { firstPurchase: true, currency: 'SEK' } },
      start: 'reward',
      steps: {
        reward: { type: 'action', action: { kind: 'points', points: 100, reason: 'first purchase bonus' } },
      },
    });
    expect(journey.status).toBe(200);
    const badJourney = await call('PUT', `${campaigns()}/journeys/points-bad-${run}`, e2e.admin, {
      name: 'bad',
      entry: { event: 'crm.purchase.recorded.v1' },
      start: 'reward',
      steps: { reward: { type: 'action', action: { kind: 'points', points: 0, reason: 'x' } } },
    });
    expect(badJourney.status).toBe(400);
    expect(badJourney.body.message).toEqual([
      'steps.reward: action.points must be a whole number from 1 to 1000000',
    ]);

    const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
      externalRef: `PT-${run}`,
      kind: 'person',
      name: 'Points Customer',
    });
    expect(registered.status).toBe(201);
    const customerId = registered.body.id as string;
    const bought = await call('POST', `${profile()}/customers/${customerId}/purchases`, e2e.agent, {
      orderId: `PT-${run}-1`,
      amount: 25_000,
      currency: 'SEK',
      occurredAt: new Date().toISOString(),
      items: [{ sku: 'P-1', category: 'pumps', quantity: 1, unitPrice: 25_000 }],
    });
    expect(bought.status).toBe(201);

    // 25,000 at the seeded 0.01 per unit is 250, and the journey's 100.
    const account = async () =>
      (await call('GET', `${referral()}/customers/${customerId}/points`, e2e.agent)).body;
    await eventually(
      'the purchase and the journey earned',
      async () => (await account()).balance === 350,
      30_000,
    );
    const earned = await account();
    expect(
      earned.entries.map((e: { source: string; points: number }) => [e.source, e.points]).sort(),
    ).toEqual([
      ['journey', 100],
      ['purchase', 250],
    ]);
    // Each lot expires a year after it was earned: the purchase's first.
    expect(earned.nextExpiry.points).toBe(250);
    expect(new Date(earned.nextExpiry.at).getTime() - Date.now()).toBeGreaterThan(364 * DAY);

    // A redemption happens once, whatever the number of tries; more than the balance is refused by name.
    const redemptionId = randomUUID();
    const redeem = (id: string, points: number) =>
      call('POST', `${referral()}/customers/${customerId}/points/redemptions`, e2e.agent, {
        redemptionId: id,
        points,
        benefit: 'coupon:SPRING-30',
      });
    const first = await redeem(redemptionId, 300);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      movement: 'redeemed',
      points: 300,
      balanceAfter: 50,
      replayed: false,
    });
    const again = await redeem(redemptionId, 300);
    expect(again.body).toMatchObject({ id: first.body.id, balanceAfter: 50, replayed: true });
    const reused = await redeem(redemptionId, 10);
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ code: 'POINTS_REDEMPTION_REUSED', field: 'redemptionId' });
    const tooMany = await redeem(randomUUID(), 51);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body).toMatchObject({ code: 'POINTS_INSUFFICIENT', field: 'points' });
    const negative = await redeem(randomUUID(), -5);
    expect(negative.status).toBe(400);
    expect(negative.body.fields.map((f: { field: string }) => f.field)).toEqual(['points']);
    expect((await account()).balance).toBe(50);

    // Rules are data: a bad change is refused naming the field; an activity earns the rule's points, once.
    const badRule = await call('PUT', `${referral()}/points-rules/purchase`, e2e.admin, {
      pointsPerUnit: -1,
    });
    expect(badRule.status).toBe(400);
    expect(badRule.body.fields.map((f: { field: string }) => f.field)).toEqual(['pointsPerUnit']);
    expect(
      (await call('PUT', `${referral()}/points-rules/lottery`, e2e.admin, { active: false })).status,
    ).toBe(400);
    const earningId = randomUUID();
    for (let i = 0; i < 2; i++) {
      const activity = await call(
        'POST',
        `${referral()}/customers/${customerId}/points/earnings`,
        e2e.agent,
        {
          earningId,
          reason: 'spring open day',
        },
      );
      expect(activity.status).toBe(201);
      expect(activity.body).toMatchObject({ source: 'activity', points: 50, balanceAfter: 100 });
    }

    // A year and a day on (the referral service's clock): every unredeemed point expires, once.
    const moved = await call('POST', `${referral()}/clock/advance`, e2e.admin, { ms: 366 * DAY });
    expect(moved.status).toBe(200);
    await eventually('the points expired', async () => (await account()).balance === 0, 20_000);
    const expired = (await account()).entries.filter((e: { movement: string }) => e.movement === 'expired');
    expect(expired.map((e: { points: number }) => e.points).sort((a: number, b: number) => a - b)).toEqual([
      50, 50,
    ]);
    await eventually('every movement published', async () => movementsOf(customerId).length === 6, 20_000);
    const published = movementsOf(customerId);
    expect(published.map((m) => m.movement).sort()).toEqual([
      'earned',
      'earned',
      'earned',
      'expired',
      'expired',
      'redeemed',
    ]);
    expect(published.every((m) => m.balance >= 0)).toBe(true);
  });
});
