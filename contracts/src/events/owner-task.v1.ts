import { IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

/**
 * cadence-missed: a maintenance cadence went by without a logged interaction; follow-up-overdue: an
 * interaction's follow-up date passed with no contact since; contact-overdue: a care action's contact deadline
 * (a win-back call within 24 h) passed with no contact since; journey-task: a journey's task step;
 * need-overdue: a need in the customer needs register passed its due date unsolved.
 */
export const OWNER_TASK_KINDS = [
  'cadence-missed',
  'follow-up-overdue',
  'contact-overdue',
  'journey-task',
  'need-overdue',
] as const;
export type OwnerTaskKind = (typeof OWNER_TASK_KINDS)[number];

/** A task for the customer's owner: a missed cadence, an overdue follow-up or an unmet contact deadline. */
export class OwnerTaskCreatedV1 {
  @IsUUID() customerId: string;
  @IsUUID() taskId: string;
  @IsOneOf(OWNER_TASK_KINDS) kind: OwnerTaskKind;
  /** The account owner; absent when the customer has none yet (the task waits in the unassigned queue). */
  @IsOptional() @IsString() @TextLength(1, 64) owner?: string;
  /** E.g. the cadence that was missed, `value-loyalty:core`. */
  @IsString() @TextLength(1, 200) detail: string;
  @IsTimestamp() dueAt: string;
  @IsTimestamp() createdAt: string;
}

export const OwnerTaskCreated = defineEvent({
  type: 'crm.owner-task.created.v1',
  topic: Topics.careActions,
  description:
    "A task was put in the customer owner's queue: a missed cadence, an overdue follow-up or an unmet contact deadline.",
  payload: OwnerTaskCreatedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    taskId: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
    kind: 'cadence-missed',
    owner: 'am-042',
    detail: 'value-loyalty:core: no interaction in 15 days',
    dueAt: '2024-06-04T09:30:00.000Z',
    createdAt: '2024-06-04T09:30:01.000Z',
  },
});
