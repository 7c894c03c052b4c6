import { IsBoolean, IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, LIFECYCLE_STAGES, type LifecycleStage, IsTimestamp, TextLength } from './common';

export class LifecycleStageChangedV1 {
  @IsUUID() customerId: string;
  @IsOptional() @IsOneOf(LIFECYCLE_STAGES) previousStage?: LifecycleStage;
  @IsOneOf(LIFECYCLE_STAGES) stage: LifecycleStage;
  /** A declining or churned customer who bought again. */
  @IsBoolean() reactivated: boolean;
  @IsOptional() @IsString() causedByEventId?: string;
  @IsOptional() @IsString() sweepRunId?: string;
  /** The scoring rule-set version that produced it (`GET /tagging/rule-sets/:version`). */
  @IsOptional() @IsString() @TextLength(1, 64) rulesVersion?: string;
  @IsTimestamp() changedAt: string;
}

export const LifecycleStageChanged = defineEvent({
  type: 'crm.lifecycle-stage.changed.v1',
  topic: Topics.scoring,
  description: 'A customer moved to another relationship stage (by an event or by the passing of time).',
  payload: LifecycleStageChangedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    previousStage: 'growth',
    stage: 'maturity',
    reactivated: false,
    causedByEventId: '0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10',
    changedAt: '2024-05-20T09:30:01.000Z',
  },
});
