import { randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  CustomerErased,
  CustomerRegistered,
  CustomerRescored,
  PurchaseRecorded,
  PurchaseRefunded,
  type PurchaseRefundedV1,
  RewardClawedBack,
  ReferralAttributed,
  ReferralQualified,
  ReferralRejected,
  ReferralHeld,
  type ReferralHoldReason,
  type CustomerErasedV1,
  type CustomerRegisteredV1,
  type CustomerRescoredV1,
  type EventEnvelope,
  type PurchaseRecordedV1,
} from '@crm/contracts';
import {
  EventBatchPattern,
  EventContext,
  OutboxPublisher,
  wavesByKeys,
  type EventBatchContext,
} from '@crm/messaging';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { counter } from '@crm/observability';
import { PointsEarnings } from '../points/points.handlers';
import { ReferralConfig } from '../referral.config';
import { storeFirstPurchases, storeMember, storeMembers, storeSegments } from './members';
import { isSelfReferral } from './referral-rules';
import { ReferralRewards } from './referral-rewards';

interface MemberContactRow {
  customer_id: string;
  email_hash: string | null;
  phone_hash: string | null;
}

export interface ReferralRow {
  id: string;
  referrer_id: string;
  referee_id: string;
  held_reason: string | null;
  review: 'released' | 'rejected' | null;
}

const outcomes = () => counter('crm_referrals_total', 'Referral outcomes', ['outcome']);

@Controller()
export class ReferralHandlers {
  constructor(
    private readonly config: ReferralConfig,
    private readonly points: PointsEarnings,
    private readonly rewards: ReferralRewards,
    private readonly outbox: OutboxPublisher,
  ) {}

  /**
   * Every customer gets a code; a sign-up with a code is attributed, or rejected with a reason. A run of a
   * partition's registrations at a time: those without a code are stored as members with a statement per wave
   * (each customer once in a wave); one with a code is taken on its own, in its place in the run, after the
   * members before it (its referrer may be one of them).
   */
  @EventBatchPattern(CustomerRegistered.type)
  async onRegistrations(
    @Payload() events: EventEnvelope<CustomerRegisteredV1>[],
    @Ctx() context: EventBatchContext,
  ): Promise<void> {
    let plain: EventEnvelope<CustomerRegisteredV1>[] = [];
    const storePlain = async () => {
      for (const wave of wavesByKeys(plain, (e) => [e.data.customerId.toLowerCase()]))
        await storeMembers(
          context.manager,
          wave.map((e) => e.data),
        );
      plain = [];
    };
    for (const [i, event] of events.entries()) {
      if (!event.data.referredByCode) {
        plain.push(event);
        continue;
      }
      await storePlain();
      await this.onRegistered(event, context.record(i, this.outbox));
    }
    await storePlain();
  }

  /** One registration: its member row, and the referral its code asks for. */
  private async onRegistered(event: EventEnvelope<CustomerRegisteredV1>, context: EventContext) {
    const customer = event.data;
    const { manager } = context;
    await storeMember(manager, customer);
    if (!customer.referredByCode) return;
    const code = customer.referredByCode.toUpperCase();
    const referrer = await queryOne<MemberContactRow>(
      manager,
      'SELECT customer_id, email_hash, phone_hash FROM members WHERE code = $1',
      [code],
    );
    const now = new Date().toISOString();
    const reject = async (reason: 'self-referral' | 'unknown-code' | 'already-referred') => {
      await execute(
        manager,
        'INSERT INTO rejected_referrals (referee_id, code, reason, rejected_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [customer.customerId, code, reason, now],
      );
      await context.publish(ReferralRejected, {
        customerId: customer.customerId,
        code,
        reason,
        rejectedAt: now,
      });
      outcomes().inc({ outcome: `rejected-${reason}` });
    };
    if (!referrer) return reject('unknown-code');
    const self = isSelfReferral(
      { customerId: referrer.customer_id, emailHash: referrer.email_hash, phoneHash: referrer.phone_hash },
      { customerId: customer.customerId, emailHash: customer.emailHash, phoneHash: customer.phoneHash },
    );
    if (self) return reject('self-referral');
    const referralId = randomUUID();
    const inserted = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO referrals (id, referrer_id, referee_id, code, status, attributed_at) VALUES ($1, $2, $3, $4, 'attributed', $5)
       ON CONFLICT (referee_id) DO NOTHING RETURNING id`,
      [referralId, referrer.customer_id, customer.customerId, code, now],
    );
    if (inserted.length === 0) return reject('already-referred');
    outcomes().inc({ outcome: 'attributed' });
    const held = await this.rewards.velocityHold(manager, referralId, referrer.customer_id, customer);
    if (held)
      await execute(manager, 'UPDATE referrals SET held_reason = $2 WHERE id = $1', [referralId, held]);
    await context.publish(ReferralAttributed, {
      customerId: customer.customerId,
      referralId,
      referrerCustomerId: referrer.customer_id,
      code,
      attributedAt: now,
    });
    // The first purchase can arrive before the registration (another topic): qualify now if it did.
    const member = await queryOne<{ first_purchase_order_id: string | null }>(
      manager,
      'SELECT first_purchase_order_id FROM members WHERE customer_id = $1',
      [customer.customerId],
    );
    if (member?.first_purchase_order_id)
      await this.qualify(context, customer.customerId, member.first_purchase_order_id);
  }

  /**
   * Every purchase earns care points (the purchase rule); the referee's first purchase qualifies the
   * referral and rewards both sides, once (idempotency keys). A run of a partition's purchases at a time: in
   * waves in which each customer appears once, the points and the first purchases take a few statements per
   * wave. A run in which a first purchase qualifies a referral (its rewards credit a second customer, the
   * referrer) is taken one by one instead, as are single records.
   */
  @EventBatchPattern(PurchaseRecorded.type)
  async onPurchases(
    @Payload() events: EventEnvelope<PurchaseRecordedV1>[],
    @Ctx() context: EventBatchContext,
  ): Promise<void> {
    const { manager } = context;
    const referees = events.filter((e) => e.data.firstPurchase).map((e) => e.data.customerId);
    // A single record goes the one-by-one way without the lookup.
    const qualifying =
      events.length > 1 &&
      referees.length > 0 &&
      (await queryRows(
        manager,
        `SELECT 1 FROM referrals WHERE referee_id = ANY($1::uuid[]) AND status = 'attributed' LIMIT 1`,
        [referees],
      ).then((rows) => rows.length > 0));
    if (events.length === 1 || qualifying) {
      for (const [i, event] of events.entries()) await this.onPurchase(event, context.record(i, this.outbox));
      return;
    }
    for (const wave of wavesByKeys(events, (e) => [e.data.customerId.toLowerCase()])) {
      await this.points.onPurchases(wave, manager);
      await storeFirstPurchases(
        manager,
        wave.filter((e) => e.data.firstPurchase).map((e) => e.data),
      );
    }
  }

  /** One purchase: its points, and a first purchase's member row and referral. */
  private async onPurchase(event: EventEnvelope<PurchaseRecordedV1>, context: EventContext) {
    const purchase = event.data;
    await this.points.onPurchase(purchase, context);
    if (!purchase.firstPurchase) return;
    await storeFirstPurchases(context.manager, [purchase]);
    await this.qualify(context, purchase.customerId, purchase.orderId);
  }

  /**
   * A refund: when it makes the referee's qualifying order fully refunded within the return window
   * (REFERRAL_RETURN_WINDOW_DAYS of the order), the referral is clawed back: each reward leaves the points
   * ledger as far as the points are still there (the rest recorded as a shortfall), once, and `reward clawed
   * back` says so for each side.
   */
  @EventPattern(PurchaseRefunded.type)
  async onRefunded(@Payload() event: EventEnvelope<PurchaseRefundedV1>, @Ctx() context: EventContext) {
    const refund = event.data;
    if (!refund.fullyRefunded) return;
    const windowMs = this.config.REFERRAL_RETURN_WINDOW_DAYS * 86_400_000;
    if (Date.parse(refund.refundedAt) - Date.parse(refund.orderOccurredAt) > windowMs) return;
    const { manager } = context;
    const referral = await queryOne<ReferralRow>(
      manager,
      `SELECT * FROM referrals WHERE referee_id = $1 AND qualifying_order_id = $2 AND status = 'qualified' FOR UPDATE`,
      [refund.customerId, refund.orderId],
    );
    if (!referral) return;
    await execute(manager, `UPDATE referrals SET status = 'clawed-back', clawed_back_at = $2 WHERE id = $1`, [
      referral.id,
      refund.refundedAt,
    ]);
    outcomes().inc({ outcome: 'clawed-back' });
    const rewards = await queryRows<{
      id: string;
      customer_id: string;
      role: 'referrer' | 'referee';
      points: number;
    }>(manager, 'SELECT id, customer_id, role, points FROM rewards WHERE referral_id = $1 ORDER BY role', [
      referral.id,
    ]);
    for (const reward of rewards) {
      const taken = await this.points.clawBack(context, {
        customerId: reward.customer_id,
        points: reward.points,
        idempotencyKey: `clawback:${reward.id}`,
        reason: `referral reward (${reward.role}) clawed back: order ${refund.orderId} refunded`,
      });
      if (!taken) continue;
      await context.publish(
        RewardClawedBack,
        {
          customerId: reward.customer_id,
          rewardId: reward.id,
          referralId: referral.id,
          role: reward.role,
          points: reward.points,
          recovered: taken.recovered,
          shortfall: taken.shortfall,
          orderId: refund.orderId,
          reason: 'qualifying-order-refunded',
          clawedBackAt: refund.refundedAt,
        },
        reward.customer_id,
      );
    }
  }

  private async qualify(context: EventContext, refereeId: string, orderId: string): Promise<void> {
    const { manager } = context;
    const referral = await queryOne<ReferralRow>(
      manager,
      `SELECT * FROM referrals WHERE referee_id = $1 AND status = 'attributed' FOR UPDATE`,
      [refereeId],
    );
    if (!referral) return;
    const now = new Date().toISOString();
    await execute(
      manager,
      `UPDATE referrals SET status = 'qualified', qualified_at = $2, qualifying_order_id = $3 WHERE id = $1`,
      [referral.id, now, orderId],
    );
    await context.publish(ReferralQualified, {
      customerId: refereeId,
      referralId: referral.id,
      referrerCustomerId: referral.referrer_id,
      qualifyingOrderId: orderId,
      qualifiedAt: now,
    });
    outcomes().inc({ outcome: 'qualified' });
    if (referral.held_reason && !referral.review) {
      // Held for review (referral velocity): the rewards wait for an admin to release them.
      await context.publish(ReferralHeld, {
        customerId: refereeId,
        referralId: referral.id,
        referrerCustomerId: referral.referrer_id,
        reason: referral.held_reason as ReferralHoldReason,
        heldAt: now,
      });
      outcomes().inc({ outcome: 'held' });
      return;
    }
    await this.rewards.grant(context, referral, now);
  }

  /** The member's value-loyalty segment: a run of records at a time, each member taking its last. */
  @EventBatchPattern(CustomerRescored.type)
  async onRescored(
    @Payload() events: EventEnvelope<CustomerRescoredV1>[],
    @Ctx() context: EventBatchContext,
  ) {
    await storeSegments(
      context.manager,
      events.map((e) => ({ customerId: e.data.customerId, segment: e.data.current.valueLoyaltySegment })),
    );
  }

  /** Erasure: the contact hashes are personal data derivatives; they go. */
  @EventPattern(CustomerErased.type)
  async onErased(@Payload() event: EventEnvelope<CustomerErasedV1>, @Ctx() context: EventContext) {
    await execute(
      context.manager,
      'UPDATE members SET email_hash = NULL, phone_hash = NULL WHERE customer_id = $1',
      [event.data.customerId],
    );
  }
}
