import { IsInt, IsString, Matches, Min } from 'class-validator';
import { IsTimestamp, TextLength } from './common';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';

/** A segment's evaluation failed or timed out; it is left out of membership until it is defined again. */
export class SegmentSuspendedV1 {
  /** The segment's id (the slug of `PUT /tagging/segments/:id`); the Kafka key. */
  @IsString() @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/) segmentId: string;
  @IsInt() @Min(1) version: number;
  /** Why Postgres could not evaluate it, e.g. the statement timeout. */
  @IsString() @TextLength(1, 2000) reason: string;
  @IsTimestamp() suspendedAt: string;
}

export const SegmentSuspended = defineEvent({
  type: 'crm.segment.suspended.v1',
  topic: Topics.segments,
  description:
    'A segment was suspended because its evaluation failed or timed out; other segments and events carry on.',
  payload: SegmentSuspendedV1,
  fixture: {
    segmentId: 'big-spenders',
    version: 3,
    reason: 'canceling statement due to statement timeout',
    suspendedAt: '2024-05-20T09:30:01.000Z',
  },
});
