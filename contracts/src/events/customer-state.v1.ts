import {
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import {
  CHANNELS,
  IsOneOf,
  IsTimestamp,
  LIFECYCLE_STAGES,
  MEMBERSHIP_LEVELS,
  PURPOSES,
  VALUE_LOYALTY_SEGMENTS,
  VALUE_TIERS,
  type Channel,
  type LifecycleStage,
  type MembershipLevel,
  type Purpose,
  type ValueLoyaltySegment,
  type ValueTier,
} from './common';

export class ConsentFlagV1 {
  @IsOneOf(CHANNELS) channel: Channel;
  @IsOneOf(PURPOSES) purpose: Purpose;
  @IsBoolean() granted: boolean;
}

/**
 * A customer's latest non-personal state, on the compacted topic `crm.customer-state.v1` keyed by the
 * customer id: read it from the beginning to learn everyone's state without replaying history. A record
 * with a null value (a tombstone) means the customer was erased; compaction then removes the key.
 */
export class CustomerStateV1 {
  @IsUUID() customerId: string;
  /** Increases with every snapshot of the customer: keep the highest seen (replays, retries). */
  @IsInt() @Min(1) revision: number;
  /** Absent until the customer is first scored. */
  @IsOptional() @IsOneOf(VALUE_TIERS) valueTier?: ValueTier;
  @IsOptional() @IsOneOf(VALUE_LOYALTY_SEGMENTS) valueLoyaltySegment?: ValueLoyaltySegment;
  @IsOptional() @IsOneOf(MEMBERSHIP_LEVELS) membershipLevel?: MembershipLevel;
  @IsOptional() @IsOneOf(LIFECYCLE_STAGES) lifecycleStage?: LifecycleStage;
  /** Derived and hand-set tags, sorted. */
  @IsArray() @IsString({ each: true }) tags: string[];
  /** Ids of the custom (dynamic and static) segments the customer is in, sorted. */
  @IsArray() @IsString({ each: true }) customSegments: string[];
  /** The latest consent per channel and purpose. */
  @IsArray()
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ConsentFlagV1)
  consents: ConsentFlagV1[];
  @IsTimestamp() updatedAt: string;
}

export const CustomerState = defineEvent({
  type: 'crm.customer-state.snapshot.v1',
  topic: Topics.customerState,
  description:
    "A customer's latest non-personal state (tier, segments, level, stage, tags, consents); null value on erasure.",
  payload: CustomerStateV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    revision: 7,
    valueTier: 'high-value',
    valueLoyaltySegment: 'core',
    membershipLevel: 'gold',
    lifecycleStage: 'maturity',
    tags: ['active', 'aov:high', 'freq:high'],
    customSegments: ['vip-pumps'],
    consents: [{ channel: 'email', purpose: 'marketing', granted: true }],
    updatedAt: '2024-05-20T09:30:01.000Z',
  },
});
