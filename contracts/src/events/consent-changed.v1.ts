import { IsBoolean, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { CHANNELS, IsOneOf, PURPOSES, type Channel, type Purpose, IsTimestamp } from './common';

export class ConsentChangedV1 {
  @IsUUID() customerId: string;
  @IsOneOf(CHANNELS) channel: Channel;
  @IsOneOf(PURPOSES) purpose: Purpose;
  @IsBoolean() granted: boolean;
  @IsTimestamp() changedAt: string;
}

export const ConsentChanged = defineEvent({
  type: 'crm.consent.changed.v1',
  topic: Topics.customers,
  description: 'A customer granted or withdrew consent for a purpose on a channel.',
  payload: ConsentChangedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    channel: 'email',
    purpose: 'marketing',
    granted: false,
    changedAt: '2024-06-01T10:00:00.000Z',
  },
});
