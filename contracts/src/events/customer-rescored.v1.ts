import { Type } from 'class-transformer';
import {
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  Min,
  ValidateNested,
  IsObject,
} from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import {
  IsOneOf,
  LIFECYCLE_STAGES,
  MEMBERSHIP_LEVELS,
  VALUE_LOYALTY_SEGMENTS,
  VALUE_TIERS,
  type LifecycleStage,
  type MembershipLevel,
  type ValueLoyaltySegment,
  type ValueTier,
  IsTimestamp,
  TextLength,
} from './common';

export class RfmScoreV1 {
  @IsInt() @Min(1) @Max(5) recency: number;
  @IsInt() @Min(1) @Max(5) frequency: number;
  @IsInt() @Min(1) @Max(5) monetary: number;
}

export class CustomerClassificationV1 {
  @IsObject() @ValidateNested() @Type(() => RfmScoreV1) rfm: RfmScoreV1;
  @IsOneOf(VALUE_TIERS) valueTier: ValueTier;
  @IsOneOf(VALUE_LOYALTY_SEGMENTS) valueLoyaltySegment: ValueLoyaltySegment;
  @IsOneOf(MEMBERSHIP_LEVELS) membershipLevel: MembershipLevel;
  @IsOneOf(LIFECYCLE_STAGES) lifecycleStage: LifecycleStage;
  @IsArray() @IsString({ each: true }) tags: string[];
}

/** Emitted only when something in the classification changed. */
export class CustomerRescoredV1 {
  @IsUUID() customerId: string;
  @IsObject() @ValidateNested() @Type(() => CustomerClassificationV1) current: CustomerClassificationV1;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CustomerClassificationV1)
  previous?: CustomerClassificationV1;
  /** Names of the fields that changed, e.g. `valueTier`, `rfm.recency`. */
  @IsArray() @IsString({ each: true }) changed: string[];
  /** The event that caused the re-scoring, or absent when a sweep did. */
  @IsOptional() @IsString() causedByEventId?: string;
  @IsOptional() @IsString() sweepRunId?: string;
  /** The scoring rule-set version that produced it (`GET /tagging/rule-sets/:version`). */
  @IsOptional() @IsString() @TextLength(1, 64) rulesVersion?: string;
  @IsTimestamp() scoredAt: string;
}

const classification: CustomerClassificationV1 = {
  rfm: { recency: 5, frequency: 4, monetary: 5 },
  valueTier: 'high-value',
  valueLoyaltySegment: 'core',
  membershipLevel: 'gold',
  lifecycleStage: 'maturity',
  tags: ['aov:high', 'freq:high', 'active', 'category:pumps'],
};

export const CustomerRescored = defineEvent({
  type: 'crm.customer.rescored.v1',
  topic: Topics.scoring,
  description: 'RFM scores, value tier, value-loyalty segment, membership level, stage or tags changed.',
  payload: CustomerRescoredV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    current: classification,
    previous: { ...classification, valueTier: 'potential', valueLoyaltySegment: 'potential' },
    changed: ['valueTier', 'valueLoyaltySegment'],
    rulesVersion: '2024.06',
    causedByEventId: '0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10',
    scoredAt: '2024-05-20T09:30:01.000Z',
  },
});
