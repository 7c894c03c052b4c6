import { IsBoolean, IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { CHANNELS, IsOneOf, type Channel, IsTimestamp, TextLength } from './common';

export const INTERACTION_STATUSES = ['done', 'in-progress', 'pending'] as const;
export type InteractionStatus = (typeof INTERACTION_STATUSES)[number];

/** Carries no free text: topic, feedback and participants stay in interaction-log. */
export class InteractionLoggedV1 {
  @IsUUID() customerId: string;
  @IsUUID() interactionId: string;
  @IsTimestamp() occurredAt: string;
  @IsOneOf(CHANNELS) channel: Channel;
  @IsOneOf(['inbound', 'outbound']) direction: 'inbound' | 'outbound';
  @IsBoolean() automated: boolean;
  @IsOneOf(INTERACTION_STATUSES) status: InteractionStatus;
  @IsOptional() @IsUUID() careActionId?: string;
  @IsOptional() @IsString() @TextLength(1, 64) owner?: string;
  /** When the follow-up action is due: an owner's task if no contact is logged before then. */
  @IsOptional() @IsTimestamp() followUpDueAt?: string;
}

export const InteractionLogged = defineEvent({
  type: 'crm.interaction.logged.v1',
  topic: Topics.interactions,
  description: 'An interaction with a customer was logged (by an agent or automatically).',
  payload: InteractionLoggedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    interactionId: '7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    occurredAt: '2024-05-10T10:00:00.000Z',
    channel: 'visit',
    direction: 'outbound',
    automated: false,
    status: 'in-progress',
    owner: 'am-042',
  },
});
