import { IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

/** A customer entered or exited a segment. */
export class SegmentChangedV1 {
  @IsUUID() customerId: string;
  /** The segment set, e.g. `value-loyalty`, or `custom` for a dynamic segment. */
  @IsString() @TextLength(1, 64) segmentSet: string;
  @IsString() @TextLength(1, 64) segment: string;
  @IsOneOf(['entered', 'exited']) change: 'entered' | 'exited';
  /** For `entered`: the segment of the same set the customer left; for `exited`: the one it moved to. */
  @IsOptional() @IsString() counterpart?: string;
  @IsOptional() @IsString() causedByEventId?: string;
  @IsOptional() @IsString() sweepRunId?: string;
  /** The scoring rule-set version that produced it (`GET /tagging/rule-sets/:version`). */
  @IsOptional() @IsString() @TextLength(1, 64) rulesVersion?: string;
  @IsTimestamp() changedAt: string;
}

export const SegmentChanged = defineEvent({
  type: 'crm.segment.changed.v1',
  topic: Topics.scoring,
  description: 'A customer entered or exited a segment, with the event or sweep that caused it.',
  payload: SegmentChangedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    segmentSet: 'value-loyalty',
    segment: 'core',
    change: 'entered',
    counterpart: 'potential',
    causedByEventId: '0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10',
    changedAt: '2024-05-20T09:30:01.000Z',
  },
});
