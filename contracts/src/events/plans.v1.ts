import { IsInt, IsString, IsUUID, Max, Min } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

/** A cross-team task of an improvement plan, as its events carry it (keyed by the plan). */
export class PlanTaskV1 {
  @IsUUID() planId: string;
  @IsUUID() taskId: string;
  @IsString() @TextLength(1, 200) title: string;
  @IsString() @TextLength(1, 64) owner: string;
  @IsString() @TextLength(1, 64) department: string;
  @IsTimestamp() dueAt: string;
  @IsInt() @Min(0) @Max(100) progress: number;
  @IsTimestamp() lastProgressAt: string;
}

/** No progress note for the stall period (two weeks): the task is flagged delayed, once until progress. */
export class PlanTaskDelayedV1 extends PlanTaskV1 {
  @IsInt() @Min(1) daysWithoutProgress: number;
  @IsTimestamp() delayedAt: string;
}

export const PlanTaskDelayed = defineEvent({
  type: 'crm.plan-task.delayed.v1',
  topic: Topics.plans,
  description:
    "A plan task had no progress for two weeks: it is flagged delayed and is first in its owner's queue.",
  payload: PlanTaskDelayedV1,
  fixture: {
    planId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    taskId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    title: 'Cut first-response time for complaints to 30 minutes',
    owner: 'lead-service',
    department: 'customer-service',
    dueAt: '2024-07-01T17:00:00.000Z',
    progress: 40,
    lastProgressAt: '2024-06-01T09:00:00.000Z',
    daysWithoutProgress: 14,
    delayedAt: '2024-06-15T09:00:00.000Z',
  },
});

/**
 * A task past its deadline escalates the way an SLA breach does: to its department's lead at the deadline,
 * to the executive level when it is still open `PLAN_TASK_EXECUTIVE_AFTER_DAYS` later.
 */
export class PlanTaskEscalatedV1 extends PlanTaskV1 {
  @IsOneOf(['department', 'executive']) level: 'department' | 'executive';
  @IsTimestamp() escalatedAt: string;
}

export const PlanTaskEscalated = defineEvent({
  type: 'crm.plan-task.escalated.v1',
  topic: Topics.plans,
  description:
    'A plan task passed its deadline unfinished: escalated to its department, then to the executive level.',
  payload: PlanTaskEscalatedV1,
  fixture: {
    planId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    taskId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    title: 'Cut first-response time for complaints to 30 minutes',
    owner: 'lead-service',
    department: 'customer-service',
    dueAt: '2024-07-01T17:00:00.000Z',
    progress: 60,
    lastProgressAt: '2024-06-20T09:00:00.000Z',
    level: 'department',
    escalatedAt: '2024-07-01T17:00:00.000Z',
  },
});
