import { IsInt, IsString, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { CHANNELS, IsOneOf, PURPOSES, type Channel, type Purpose, IsTimestamp, TextLength } from './common';

/** A triggered touch could not be delivered within its purpose's maximum age: it is given up, never silently. */
export class CareDeliveryFailedV1 {
  @IsUUID() customerId: string;
  @IsUUID() careActionId: string;
  @IsString() @TextLength(1, 64) action: string;
  @IsOneOf(PURPOSES) purpose: Purpose;
  @IsOneOf(CHANNELS) channel: Channel;
  @IsString() @TextLength(1, 200) idempotencyKey: string;
  @IsInt() @Min(1) attempts: number;
  /** The last attempt's error, e.g. `webhook answered 503`. */
  @IsString() @TextLength(1, 2000) reason: string;
  @IsTimestamp() triggeredAt: string;
  @IsTimestamp() failedAt: string;
}

export const CareDeliveryFailed = defineEvent({
  type: 'crm.care.delivery-failed.v1',
  topic: Topics.careActions,
  description:
    'A care touch was given up after retrying with backoff for its maximum age; someone must reach the customer another way.',
  payload: CareDeliveryFailedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    careActionId: '1d6f7a3e-2b9c-4c1d-9f8e-5a4b3c2d1e0f',
    action: 'welcome-call',
    purpose: 'service',
    channel: 'phone',
    idempotencyKey: 'welcome:0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10',
    attempts: 14,
    reason: 'webhook answered 503',
    triggeredAt: '2024-05-20T09:30:02.000Z',
    failedAt: '2024-05-21T09:30:02.000Z',
  },
});
