import { IsInt, IsString, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

export class ReferralAttributedV1 {
  /** The referee (the new customer); also the key. */
  @IsUUID() customerId: string;
  @IsUUID() referralId: string;
  @IsUUID() referrerCustomerId: string;
  @IsString() @TextLength(4, 32) code: string;
  @IsTimestamp() attributedAt: string;
}

export const ReferralAttributed = defineEvent({
  type: 'crm.referral.attributed.v1',
  topic: Topics.referrals,
  description: 'A new customer signed up with a referral code.',
  payload: ReferralAttributedV1,
  fixture: {
    customerId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    referralId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    referrerCustomerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    code: 'K7Q2M9XA',
    attributedAt: '2024-05-21T08:00:00.000Z',
  },
});

export class ReferralRejectedV1 {
  @IsUUID() customerId: string;
  @IsString() @TextLength(4, 32) code: string;
  @IsOneOf(['self-referral', 'unknown-code', 'already-referred']) reason:
    'self-referral' | 'unknown-code' | 'already-referred';
  @IsTimestamp() rejectedAt: string;
}

export const ReferralRejected = defineEvent({
  type: 'crm.referral.rejected.v1',
  topic: Topics.referrals,
  description: 'A referral code at sign-up was not accepted, with the reason.',
  payload: ReferralRejectedV1,
  fixture: {
    customerId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    code: 'K7Q2M9XA',
    reason: 'self-referral',
    rejectedAt: '2024-05-21T08:00:00.000Z',
  },
});

export class ReferralQualifiedV1 {
  @IsUUID() customerId: string;
  @IsUUID() referralId: string;
  @IsUUID() referrerCustomerId: string;
  @IsString() qualifyingOrderId: string;
  @IsTimestamp() qualifiedAt: string;
}

export const ReferralQualified = defineEvent({
  type: 'crm.referral.qualified.v1',
  topic: Topics.referrals,
  description: "The referee's first purchase qualified the referral.",
  payload: ReferralQualifiedV1,
  fixture: {
    customerId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    referralId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    referrerCustomerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    qualifyingOrderId: 'SO-2024-0100',
    qualifiedAt: '2024-05-22T08:00:00.000Z',
  },
});

export class RewardGrantedV1 {
  /** The beneficiary; also the key. */
  @IsUUID() customerId: string;
  @IsUUID() rewardId: string;
  @IsUUID() referralId: string;
  @IsOneOf(['referrer', 'referee']) role: 'referrer' | 'referee';
  @IsInt() @Min(1) points: number;
  @IsString() @TextLength(1, 200) idempotencyKey: string;
  @IsTimestamp() grantedAt: string;
}

export const RewardGranted = defineEvent({
  type: 'crm.reward.granted.v1',
  topic: Topics.referrals,
  description: 'A referral reward was credited to a customer (exactly once per referral and role).',
  payload: RewardGrantedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    rewardId: '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f',
    referralId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    role: 'referrer',
    points: 750,
    idempotencyKey: 'referral:2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e:referrer',
    grantedAt: '2024-05-22T08:00:00.000Z',
  },
});

/**
 * A referral reward was taken back: the referee's qualifying order was fully refunded within the return
 * window. The points come back out of the care points ledger as far as the customer still has them; what
 * could not be recovered (already redeemed) is the `shortfall`, recorded, never a negative balance.
 */
export class RewardClawedBackV1 {
  @IsUUID() customerId: string;
  @IsUUID() rewardId: string;
  @IsUUID() referralId: string;
  @IsOneOf(['referrer', 'referee']) role: 'referrer' | 'referee';
  /** The points the reward granted. */
  @IsInt() @Min(1) points: number;
  @IsInt() @Min(0) recovered: number;
  @IsInt() @Min(0) shortfall: number;
  @IsString() @TextLength(1, 64) orderId: string;
  @IsOneOf(['qualifying-order-refunded']) reason: 'qualifying-order-refunded';
  @IsTimestamp() clawedBackAt: string;
}

export const RewardClawedBack = defineEvent({
  type: 'crm.reward.clawed-back.v1',
  topic: Topics.referrals,
  description:
    "A referral reward was clawed back because the referee's qualifying order was fully refunded within the return window; a shortfall records what was already spent.",
  payload: RewardClawedBackV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    rewardId: '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f',
    referralId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    role: 'referrer',
    points: 750,
    recovered: 500,
    shortfall: 250,
    orderId: 'SO-2024-0002',
    reason: 'qualifying-order-refunded',
    clawedBackAt: '2024-06-01T08:00:00.000Z',
  },
});

export const REFERRAL_HOLD_REASONS = ['referrer-velocity', 'shared-contact'] as const;
export type ReferralHoldReason = (typeof REFERRAL_HOLD_REASONS)[number];

/**
 * A qualified referral's rewards are held for review: its referrer brought too many referees in a short time
 * (referrer-velocity), or its referee shares an e-mail or phone hash with another recent referee
 * (shared-contact). An admin releases (the rewards are granted then) or rejects it.
 */
export class ReferralHeldV1 {
  @IsUUID() customerId: string;
  @IsUUID() referralId: string;
  @IsUUID() referrerCustomerId: string;
  @IsOneOf(REFERRAL_HOLD_REASONS) reason: ReferralHoldReason;
  @IsTimestamp() heldAt: string;
}

export const ReferralHeld = defineEvent({
  type: 'crm.referral.held.v1',
  topic: Topics.referrals,
  description:
    'A qualified referral was held for review (referral velocity, or a contact shared with another recent referee): no reward until an admin releases it.',
  payload: ReferralHeldV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    referralId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    referrerCustomerId: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
    reason: 'referrer-velocity',
    heldAt: '2024-05-22T08:00:00.000Z',
  },
});
