import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import { RewardGranted, type ReferralHoldReason } from '@crm/contracts';
import { OutboxPublisher, type EventContext } from '@crm/messaging';
import { counter } from '@crm/observability';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { conflict, notFound } from '@crm/service-kit';
import { PointsEarnings } from '../points/points.handlers';
import { ReferralConfig } from '../referral.config';
import type { ReferralRow } from './referral.handlers';
import { rewardPoints } from './referral-rules';

/** What granting needs: the transaction, and a publish that carries the cause. */
export type Effects = Pick<EventContext, 'manager' | 'publish'>;

export class HeldReferralView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) referrerId: string;
  @ApiProperty({ format: 'uuid' }) refereeId: string;
  @ApiProperty({ enum: ['attributed', 'qualified'] }) status: string;
  @ApiProperty({ enum: ['referrer-velocity', 'shared-contact'] }) heldReason: string;
  @ApiProperty() attributedAt: Date;
  @ApiPropertyOptional({ nullable: true }) qualifiedAt: Date | null;
}

const reviews = () => counter('crm_referral_reviews_total', 'Held referrals reviewed', ['review']);

/**
 * Referral rewards: both sides credited once when a referral qualifies (points through the ledger), unless
 * the referral is held for review by the velocity checks; an admin releases (granted then) or rejects it.
 */
@Injectable()
export class ReferralRewards {
  constructor(
    private readonly config: ReferralConfig,
    private readonly points: PointsEarnings,
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  /**
   * Whether a new referral must be held: its referrer brought more than REFERRAL_VELOCITY_LIMIT referees in
   * REFERRAL_VELOCITY_WINDOW_HOURS (this one included), or its referee shares an e-mail or phone hash with
   * another referee of that window.
   */
  async velocityHold(
    manager: EntityManager,
    referralId: string,
    referrerId: string,
    referee: { emailHash?: string | null; phoneHash?: string | null },
  ): Promise<ReferralHoldReason | undefined> {
    const window = `now() - make_interval(hours => ${this.config.REFERRAL_VELOCITY_WINDOW_HOURS})`;
    // One referrer's referees arrive on several partitions at once: counted one at a time, or two concurrent
    // attributions could each miss the other and neither be held.
    await execute(manager, 'SELECT pg_advisory_xact_lock(hashtext($1))', [`referrer:${referrerId}`]);
    const recent = await queryOne<{ n: number }>(
      manager,
      `SELECT count(*)::int AS n FROM referrals WHERE referrer_id = $1 AND attributed_at > ${window}`,
      [referrerId],
    );
    if ((recent?.n ?? 0) > this.config.REFERRAL_VELOCITY_LIMIT) return 'referrer-velocity';
    if (!referee.emailHash && !referee.phoneHash) return undefined;
    const shared = await queryOne(
      manager,
      `SELECT 1 FROM referrals r JOIN members m ON m.customer_id = r.referee_id
        WHERE r.id <> $1 AND r.attributed_at > ${window}
          AND ((m.email_hash IS NOT NULL AND m.email_hash = $2) OR (m.phone_hash IS NOT NULL AND m.phone_hash = $3))
        LIMIT 1`,
      [referralId, referee.emailHash ?? null, referee.phoneHash ?? null],
    );
    return shared ? 'shared-contact' : undefined;
  }

  /** Credits both sides of a qualified referral, once each (the rewards' idempotency keys). */
  async grant(effects: Effects, referral: ReferralRow, now: string): Promise<void> {
    const { manager } = effects;
    const referrer = await queryOne<{ segment: string | null }>(
      manager,
      'SELECT segment FROM members WHERE customer_id = $1',
      [referral.referrer_id],
    );
    for (const [role, customerId] of [
      ['referrer', referral.referrer_id],
      ['referee', referral.referee_id],
    ] as const) {
      const rewardId = randomUUID();
      const idempotencyKey = `referral:${referral.id}:${role}`;
      const points = rewardPoints(
        this.config.REFERRAL_REWARD_POINTS,
        role,
        referrer?.segment ?? null,
        this.config.REFERRAL_CORE_BONUS_PERCENT,
      );
      const granted = await queryRows<{ id: string }>(
        manager,
        `INSERT INTO rewards (id, referral_id, customer_id, role, points, idempotency_key, granted_at) VALUES ($1,$2,$3,$4,$5,$6,$7)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
        [rewardId, referral.id, customerId, role, points, idempotencyKey, now],
      );
      if (granted.length === 0) continue;
      await effects.publish(
        RewardGranted,
        { customerId, rewardId, referralId: referral.id, role, points, idempotencyKey, grantedAt: now },
        customerId,
      );
      // Referral rewards in points go through the care points ledger, under the reward's key.
      await this.points.onReward(effects, { customerId, points, idempotencyKey, at: new Date(now), role });
    }
  }

  held(): Promise<HeldReferralView[]> {
    return queryRows<HeldReferralView>(
      this.dataSource,
      `SELECT id, referrer_id AS "referrerId", referee_id AS "refereeId", status, held_reason AS "heldReason",
              attributed_at AS "attributedAt", qualified_at AS "qualifiedAt"
         FROM referrals WHERE held_reason IS NOT NULL AND review IS NULL ORDER BY attributed_at LIMIT 500`,
    );
  }

  /**
   * An admin's review of a held referral: released (rewarded now if it has qualified, or when it does) or
   * rejected (never rewarded). Once per referral: a second review is 409 naming `review`.
   */
  async review(referralId: string, review: 'released' | 'rejected', reviewer: string, correlationId: string) {
    return this.dataSource.transaction(async (manager) => {
      const referral = await queryOne<ReferralRow & { status: string }>(
        manager,
        'SELECT * FROM referrals WHERE id = $1 FOR UPDATE',
        [referralId],
      );
      if (!referral || !referral.held_reason) throw notFound('held referral', referralId);
      if (referral.review)
        throw conflict(
          'REFERRAL_ALREADY_REVIEWED',
          'review',
          `referral ${referralId} was already ${referral.review}`,
        );
      const now = new Date().toISOString();
      await execute(
        manager,
        'UPDATE referrals SET review = $2, reviewed_by = $3, reviewed_at = $4 WHERE id = $1',
        [referralId, review, reviewer, now],
      );
      reviews().inc({ review });
      if (review === 'released' && referral.status === 'qualified')
        await this.grant(
          {
            manager,
            publish: (definition, payload, subject = referral.referee_id) =>
              this.outbox.publish(manager, definition, payload, { subject, correlationId }),
          },
          referral,
          now,
        );
      return { id: referralId, review, status: referral.status, heldReason: referral.held_reason };
    });
  }
}
