import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  CustomerRescored,
  PurchaseRefunded,
  ReferralHeld,
  RewardClawedBack,
  RewardGranted,
  Topics,
} from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call } from './http';
import { eventsOnce, referralCodeOf, registerCompany } from './helpers';
import { e2eSession } from './session';

/**
 * Refunds end to end: idempotent by refund id and never beyond the order; scores net of refunds (a refund
 * re-scores the customer like a purchase); a service moment in growth-campaigns; and a referral whose
 * qualifying order is fully refunded within the return window clawed back from both sides, as far as the
 * points are still there, the rest recorded as a shortfall, never a negative balance.
 */
const run = randomUUID().slice(0, 6);
// A low velocity limit: a referrer's third referee in a day is held for review.
const e2e = e2eSession('e2e-refunds', [Topics.purchases, Topics.referrals, Topics.scoring], {
  env: { REFERRAL_VELOCITY_LIMIT: '2' },
});
const profile = () => e2e.platform.url('customer-profile');
const referral = () => e2e.platform.url('referral');
const tagging = () => e2e.platform.url('tagging');
const once = <T>(type: string, match: (body: Record<string, unknown>) => boolean) =>
  eventsOnce<T>(e2e, type, match);
const register = (ref: string, extra: Record<string, unknown> = {}) =>
  registerCompany(e2e, `${ref}-${run}`, extra);

describe('refunds', () => {
  it('nets scores, marks a service moment, and claws back the referral of a refunded qualifying order', async () => {
    const referrer = await register('RFA');
    const code = await referralCodeOf(e2e, referrer);
    const buyer = await register('RFB', { referralCode: code });
    const order = `RF-${run}`;
    const bought = await call('POST', `${profile()}/customers/${buyer}/purchases`, e2e.agent, {
      orderId: order,
      amount: 120_000,
      currency: 'SEK',
      occurredAt: new Date().toISOString(),
      items: [{ sku: 'PUMP-200', category: 'pumps', quantity: 4, unitPrice: 30_000 }],
    });
    expect(bought.status).toBe(201);
    const points = async (id: string) =>
      (await call('GET', `${referral()}/customers/${id}/points`, e2e.agent)).body as { balance: number };
    // The buyer: 1,200 for the purchase and 500 as referee; the referrer: 500, of which 400 get spent.
    await eventually(
      'both rewards credited',
      async () => (await points(buyer)).balance === 1700 && (await points(referrer)).balance === 500,
      30_000,
    );
    const spent = await call('POST', `${referral()}/customers/${referrer}/points/redemptions`, e2e.agent, {
      redemptionId: randomUUID(),
      points: 400,
      benefit: 'coupon:THANKS-400',
    });
    expect(spent.status).toBe(201);
    const scores = async () =>
      (await call('GET', `${tagging()}/customers/${buyer}`, e2e.agent)).body as {
        valueTier: string;
        facts: { spend12m: number; purchases12m: number };
      };
    await eventually('the purchase is scored', async () => (await scores())?.facts?.spend12m === 120_000);
    const tierBefore = (await scores()).valueTier;

    // A partial refund: idempotent by refund id, never beyond the order.
    const refund = (body: Record<string, unknown>) =>
      call('POST', `${profile()}/customers/${buyer}/purchases/${order}/refunds`, e2e.agent, body);
    const partial = { refundId: `RFD-${run}-1`, amount: 20_000, reason: 'returned' };
    const first = await refund(partial);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ refundedOnOrder: 20_000, fullyRefunded: false });
    expect((await refund(partial)).status).toBe(200);
    const reused = await refund({ ...partial, amount: 5_000 });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ code: 'REFUND_ALREADY_RECORDED', field: 'refundId' });
    const tooMuch = await refund({ refundId: `RFD-${run}-x`, amount: 100_000.01, reason: 'returned' });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.fields[0].field).toBe('amount');
    const badReason = await refund({ refundId: `RFD-${run}-y`, amount: 1, reason: 'changed-mind' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.fields[0].field).toBe('reason');
    await eventually(
      'scores net of the partial refund',
      async () => (await scores()).facts.spend12m === 100_000,
    );
    // The test's own observer reads the topic beside tagging and may be behind it under load: wait for it.
    await eventually(
      'the refund event observed',
      async () => once(PurchaseRefunded.type, (b) => b.orderId === order).length > 0,
    );
    expect(once(PurchaseRefunded.type, (b) => b.orderId === order)).toHaveLength(1);

    // The rest: the order is fully refunded within the return window.
    const full = await refund({ refundId: `RFD-${run}-2`, amount: 100_000, reason: 'defective' });
    expect(full.status).toBe(201);
    expect(full.body).toMatchObject({ refundedOnOrder: 120_000, fullyRefunded: true });
    await eventually(
      'the order no longer counts',
      async () => (await scores()).facts.purchases12m === 0,
      30_000,
    );
    expect((await scores()).facts.spend12m).toBe(0);
    // The observer may be behind tagging here too: the last re-scoring it has seen must come to another tier.
    const lastTier = () =>
      once<{ customerId: string; current: { valueTier: string } }>(
        CustomerRescored.type,
        (b) => b.customerId === buyer,
      ).at(-1)?.current.valueTier;
    await eventually(
      'the re-scoring observed',
      async () => lastTier() !== undefined && lastTier() !== tierBefore,
    );
    expect(lastTier()).not.toBe(tierBefore);

    // The referral is clawed back from both sides, once; what the referrer had spent is a shortfall.
    await eventually(
      'both rewards clawed back',
      async () => once(RewardClawedBack.type, (b) => b.orderId === order).length === 2,
      30_000,
    );
    const claws = once<{ role: string; points: number; recovered: number; shortfall: number }>(
      RewardClawedBack.type,
      (b) => b.orderId === order,
    ).sort((a, b) => a.role.localeCompare(b.role));
    expect(claws).toEqual([
      expect.objectContaining({ role: 'referee', points: 500, recovered: 500, shortfall: 0 }),
      expect.objectContaining({ role: 'referrer', points: 500, recovered: 100, shortfall: 400 }),
    ]);
    expect((await points(buyer)).balance).toBe(1200);
    expect((await points(referrer)).balance).toBe(0);
    const referrals = (await call('GET', `${referral()}/customers/${buyer}/referrals`, e2e.agent)).body;
    expect(referrals.referrals[0]).toMatchObject({ status: 'clawed-back' });

    // A refund is a service moment: growth-campaigns holds one for the buyer (no marketing while it lasts).
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      await eventually('the service moment', async () => {
        const r = await db.query(
          'SELECT count(*)::int AS n FROM growth_campaigns.service_moments WHERE customer_id = $1 AND until > now()',
          [buyer],
        );
        return r.rows[0].n === 2;
      });
    } finally {
      await db.end();
    }
  });

  it("holds a referrer's referees beyond the velocity limit for review, and rewards them only when released", async () => {
    const referrer = await register('VEL');
    const code = await referralCodeOf(e2e, referrer);
    const referees: string[] = [];
    for (const n of [1, 2, 3]) {
      const referee = await register(`VEL${n}`, { referralCode: code });
      referees.push(referee);
      const bought = await call('POST', `${profile()}/customers/${referee}/purchases`, e2e.agent, {
        orderId: `VEL-${run}-${n}`,
        amount: 1_000,
        currency: 'SEK',
        occurredAt: new Date().toISOString(),
        items: [{ sku: 'V-1', category: 'valves', quantity: 1, unitPrice: 1_000 }],
      });
      expect(bought.status).toBe(201);
    }
    const rewardedReferees = () =>
      new Set(
        once<{ customerId: string; role: string }>(RewardGranted.type, (b) =>
          referees.includes(String(b.customerId)),
        )
          .filter((g) => g.role === 'referee')
          .map((g) => g.customerId),
      );
    // Registrations travel on several partitions: which referee comes third is the order they are consumed
    // in, not the order they were sent. Exactly one is held, whichever it is.
    const heldEvents = () =>
      once<{ customerId: string }>(ReferralHeld.type, (b) => referees.includes(String(b.customerId)));
    await eventually(
      'two referees rewarded, the third held',
      async () => rewardedReferees().size === 2 && heldEvents().length === 1,
      30_000,
    );
    const heldReferee = heldEvents()[0].customerId;
    expect(rewardedReferees().has(heldReferee)).toBe(false);
    expect(heldEvents()[0]).toMatchObject({ referrerCustomerId: referrer, reason: 'referrer-velocity' });
    const held = (await call('GET', `${referral()}/referrals/held`, e2e.analyst)).body as {
      id: string;
      refereeId: string;
    }[];
    const hold = held.find((h) => h.refereeId === heldReferee)!;
    expect(hold).toMatchObject({ status: 'qualified', heldReason: 'referrer-velocity' });
    expect(
      (await call('POST', `${referral()}/referrals/${hold.id}/review`, e2e.agent, { review: 'released' }))
        .status,
    ).toBe(403);
    const released = await call('POST', `${referral()}/referrals/${hold.id}/review`, e2e.admin, {
      review: 'released',
    });
    expect(released.status).toBe(200);
    await eventually('the released referral is rewarded', async () => rewardedReferees().size === 3, 30_000);
    const again = await call('POST', `${referral()}/referrals/${hold.id}/review`, e2e.admin, {
      review: 'rejected',
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ field: 'review' });
    expect(
      ((await call('GET', `${referral()}/referrals/held`, e2e.analyst)).body as { id: string }[]).map(
        (h) => h.id,
      ),
    ).not.toContain(hold.id);
  });
});
