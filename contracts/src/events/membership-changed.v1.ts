import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, MEMBERSHIP_LEVELS, TextLength, type MembershipLevel } from './common';

/** A customer's membership level moved up or down; it carries the new level's privileges. */
export class MembershipChangedV1 {
  @IsUUID() customerId: string;
  @IsOneOf(MEMBERSHIP_LEVELS) level: MembershipLevel;
  @IsOneOf(MEMBERSHIP_LEVELS) previousLevel: MembershipLevel;
  @IsOneOf(['up', 'down']) direction: 'up' | 'down';
  /** The privileges of the new level, as the membership program defines them now. */
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @TextLength(1, 200, { each: true })
  privileges: string[];
  @IsOptional() @IsString() causedByEventId?: string;
  @IsOptional() @IsString() sweepRunId?: string;
  /** The scoring rule-set version that produced it (`GET /tagging/rule-sets/:version`). */
  @IsOptional() @IsString() @TextLength(1, 64) rulesVersion?: string;
  @IsTimestamp() changedAt: string;
}

export const MembershipChanged = defineEvent({
  type: 'crm.membership.changed.v1',
  topic: Topics.scoring,
  description:
    "A customer's membership level (gold, silver, bronze) changed, with the new level's privileges.",
  payload: MembershipChangedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    level: 'gold',
    previousLevel: 'silver',
    direction: 'up',
    privileges: ['a dedicated account manager', 'first response within 1 hour', 'a birthday gift'],
    causedByEventId: '0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10',
    changedAt: '2024-05-20T09:30:01.000Z',
  },
});
