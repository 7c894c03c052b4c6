import { IsInt, IsNumber, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

/**
 * A customer's churn risk crossed the alert threshold: up to `high` (at or above it), or back to `normal`
 * (a tenth below it, so a risk hovering at the threshold does not flap). The risk is the purchase lateness
 * plus the fall in interaction frequency, both as tagging defines them (docs: "Churn risk").
 */
export class ChurnRiskChangedV1 {
  @IsUUID() customerId: string;
  @IsOneOf(['high', 'normal']) level: 'high' | 'normal';
  /** 0-1, hundredths. */
  @IsNumber() @Min(0) @Max(1) churnRisk: number;
  /** The part of the risk from purchases alone (time since the last one against the expected interval). */
  @IsNumber() @Min(0) @Max(1) purchaseRisk: number;
  /** 0-1: how far interactions in the recent window fell against the window before it (0: no fall). */
  @IsNumber() @Min(0) @Max(1) interactionDecline: number;
  @IsInt() @Min(0) interactionsRecent: number;
  @IsInt() @Min(0) interactionsBefore: number;
  @IsNumber() @Min(0) @Max(1) threshold: number;
  @IsString() @TextLength(1, 64) rulesVersion: string;
  @IsOptional() @IsString() causedByEventId?: string;
  @IsOptional() @IsString() sweepRunId?: string;
  @IsTimestamp() changedAt: string;
}

export const ChurnRiskChanged = defineEvent({
  type: 'crm.churn-risk.changed.v1',
  topic: Topics.scoring,
  description:
    "A customer's churn risk crossed the alert threshold (level high), or fell back below it (level normal); falling interaction frequency counts toward it.",
  payload: ChurnRiskChangedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    level: 'high',
    churnRisk: 0.64,
    purchaseRisk: 0.4,
    interactionDecline: 0.8,
    interactionsRecent: 1,
    interactionsBefore: 5,
    threshold: 0.6,
    rulesVersion: '2024.06',
    sweepRunId: 'sweep-2024-06-04',
    changedAt: '2024-06-04T02:00:00.000Z',
  },
});
