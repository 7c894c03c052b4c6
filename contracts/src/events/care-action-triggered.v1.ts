import { IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import {
  CHANNELS,
  IsOneOf,
  LOCALES,
  PURPOSES,
  type Channel,
  type Locale,
  type Purpose,
  IsTimestamp,
  TextLength,
} from './common';

export class CareActionTriggeredV1 {
  @IsUUID() customerId: string;
  @IsUUID() careActionId: string;
  @IsString() @TextLength(1, 64) playbook: string;
  @IsString() @TextLength(1, 64) action: string;
  /** Service and marketing messages never mix. */
  @IsOneOf(PURPOSES) purpose: Purpose;
  @IsOneOf(CHANNELS) channel: Channel;
  /** Deduplicates the outbound message at the channel, because a handler can run twice. */
  @IsString() @TextLength(1, 200) idempotencyKey: string;
  @IsOptional() @IsTimestamp() contactDueAt?: string;
  @IsString() triggeredByEventId: string;
  /** The template the touch is written with (its id), the variant and the language chosen. */
  @IsOptional() @IsString() @TextLength(1, 64) template?: string;
  @IsOptional() @IsString() @TextLength(1, 32) variant?: string;
  @IsOptional() @IsOneOf(LOCALES) locale?: Locale;
  /** Quiet hours in the customer's time zone: the touch waits until then (it is not dropped). */
  @IsOptional() @IsTimestamp() sendAfter?: string;
  @IsTimestamp() triggeredAt: string;
}

export const CareActionTriggered = defineEvent({
  type: 'crm.care-action.triggered.v1',
  topic: Topics.careActions,
  description: 'A playbook triggered a care or growth action for a customer (after consent and cap checks).',
  payload: CareActionTriggeredV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    careActionId: '1d6f7a3e-2b9c-4c1d-9f8e-5a4b3c2d1e0f',
    playbook: 'exclusive-advisor',
    action: 'assign-exclusive-advisor',
    purpose: 'service',
    channel: 'phone',
    idempotencyKey: 'exclusive-advisor:0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10',
    triggeredByEventId: '0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10',
    triggeredAt: '2024-05-20T09:30:02.000Z',
  },
});
