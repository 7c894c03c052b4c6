import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

export const NEED_TYPES = ['product', 'service', 'price', 'support', 'other'] as const;
export type NeedType = (typeof NEED_TYPES)[number];
export const NEED_PRIORITIES = ['high', 'medium', 'low'] as const;
export type NeedPriority = (typeof NEED_PRIORITIES)[number];
export const NEED_STATUSES = ['open', 'in-progress', 'solved', 'cancelled'] as const;
export type NeedStatus = (typeof NEED_STATUSES)[number];

/**
 * A need in the customer needs register, as other services may know it: its type, priority, owner, deadline
 * and status, never its description or solution (free text about the customer stays in interaction-log,
 * encrypted).
 */
export class NeedV1 {
  @IsUUID() customerId: string;
  @IsUUID() needId: string;
  @IsOneOf(NEED_TYPES) type: NeedType;
  @IsOneOf(NEED_PRIORITIES) priority: NeedPriority;
  @IsString() @TextLength(1, 64) owner: string;
  @IsTimestamp() dueAt: string;
  @IsOneOf(NEED_STATUSES) status: NeedStatus;
  /** The customer confirmed the solution (the register's last column). */
  @IsBoolean() customerConfirmed: boolean;
  @IsTimestamp() changedAt: string;
}

const fixture = {
  customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
  needId: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  type: 'support' as const,
  priority: 'high' as const,
  owner: 'am-042',
  dueAt: '2024-06-14T17:00:00.000Z',
  status: 'open' as const,
  customerConfirmed: false,
  changedAt: '2024-06-01T09:00:00.000Z',
};

export class NeedRecordedV1 extends NeedV1 {}

export const NeedRecorded = defineEvent({
  type: 'crm.need.recorded.v1',
  topic: Topics.interactions,
  description: "A need was added to the customer's needs register (type, priority, owner, due date).",
  payload: NeedRecordedV1,
  fixture,
});

export class NeedChangedV1 extends NeedV1 {
  /** What moved: status, priority, owner, due date, or the customer's confirmation. */
  @IsArray()
  @ArrayMaxSize(5)
  @IsOneOf(['status', 'priority', 'owner', 'due-date', 'confirmation'], { each: true })
  changed: string[];
  @IsOptional() @IsOneOf(NEED_STATUSES) previousStatus?: NeedStatus;
}

export const NeedChanged = defineEvent({
  type: 'crm.need.changed.v1',
  topic: Topics.interactions,
  description:
    'A need in the register changed: its status (solved, cancelled, …), priority, owner, due date or the customer confirming the solution.',
  payload: NeedChangedV1,
  fixture: { ...fixture, status: 'solved', customerConfirmed: true, changed: ['status', 'confirmation'] },
});

export class NeedOverdueV1 extends NeedV1 {
  @IsTimestamp() overdueAt: string;
}

export const NeedOverdue = defineEvent({
  type: 'crm.need.overdue.v1',
  topic: Topics.interactions,
  description:
    "A need passed its due date unsolved: growth-campaigns puts a task in its owner's queue (kind need-overdue).",
  payload: NeedOverdueV1,
  fixture: { ...fixture, overdueAt: '2024-06-14T17:00:00.000Z' },
});
