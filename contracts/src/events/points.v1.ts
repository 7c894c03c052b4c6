import { IsInt, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

/** Where care points come from (each an earning rule, as data) and where they go. */
export const POINTS_SOURCES = ['purchase', 'survey', 'referral', 'activity', 'journey'] as const;
export type PointsSource = (typeof POINTS_SOURCES)[number];
export const POINTS_MOVEMENTS = ['earned', 'redeemed', 'expired', 'clawed-back'] as const;
export type PointsMovement = (typeof POINTS_MOVEMENTS)[number];
/** The most points one grant may carry. */
export const MAX_POINTS_PER_GRANT = 1_000_000;

/** A journey asks for care points for a customer (once: the request travels through the outbox). */
export class PointsGrantRequestedV1 {
  @IsUUID() customerId: string;
  /** Also the ledger's idempotency key (`journey:<requestId>`). */
  @IsUUID() requestId: string;
  @IsInt() @Min(1) @Max(MAX_POINTS_PER_GRANT) points: number;
  @IsString() @TextLength(1, 200) reason: string;
  /** `journey:<id>`. */
  @IsString() @TextLength(1, 80) requestedBy: string;
}

export const PointsGrantRequested = defineEvent({
  type: 'crm.points.grant-requested.v1',
  topic: Topics.careActions,
  description: "A journey granted care points; referral's points ledger credits them (once per request).",
  payload: PointsGrantRequestedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    requestId: '5d4c3b2a-1908-4f7e-8d6c-5b4a39281706',
    points: 100,
    reason: 'welcome: first purchase bonus',
    requestedBy: 'journey:welcome',
  },
});

/** One movement of a customer's care points: earned, redeemed or expired; the balance after it. */
export class PointsChangedV1 {
  @IsUUID() customerId: string;
  @IsUUID() entryId: string;
  @IsOneOf(POINTS_MOVEMENTS) movement: PointsMovement;
  /** How many points moved (always positive; `movement` says which way). */
  @IsInt() @Min(1) points: number;
  /** The balance after this movement; never below zero. */
  @IsInt() @Min(0) balance: number;
  /** For earned points: the rule that earned them. */
  @IsOptional() @IsOneOf(POINTS_SOURCES) source?: PointsSource;
  @IsOptional() @IsString() @TextLength(1, 200) reason?: string;
  /** The key that makes this movement happen once (`purchase:<orderId>`, `redemption:<id>`, …). */
  @IsString() @TextLength(1, 200) idempotencyKey: string;
  /** For earned points that expire. */
  @IsOptional() @IsTimestamp() expiresAt?: string;
  @IsTimestamp() occurredAt: string;
}

export const PointsChanged = defineEvent({
  type: 'crm.points.changed.v1',
  topic: Topics.referrals,
  description:
    "A customer's care points moved: earned (a purchase, a survey answer, a referral, an activity, a journey), redeemed for a benefit, or expired.",
  payload: PointsChangedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    entryId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    movement: 'earned',
    points: 1100,
    balance: 1850,
    source: 'purchase',
    reason: 'order SO-2024-0100',
    idempotencyKey: 'purchase:SO-2024-0100',
    expiresAt: '2025-05-22T08:00:00.000Z',
    occurredAt: '2024-05-22T08:00:00.000Z',
  },
});
