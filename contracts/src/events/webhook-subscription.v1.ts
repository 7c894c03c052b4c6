import { IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsTimestamp, TextLength } from './common';

/** A webhook subscription stopped delivering because its endpoint kept failing. */
export class WebhookSubscriptionPausedV1 {
  @IsUUID() subscriptionId: string;
  @IsString() @TextLength(1, 120) name: string;
  @IsInt() @Min(1) consecutiveFailures: number;
  /** The last failure: an HTTP status or a network error. */
  @IsString() @TextLength(1, 500) lastError: string;
  @IsInt() @Min(0) pendingDeliveries: number;
  @IsTimestamp() pausedAt: string;
}

/** A paused webhook subscription was resumed; its pending deliveries go out in order. */
export class WebhookSubscriptionResumedV1 {
  @IsUUID() subscriptionId: string;
  @IsString() @TextLength(1, 120) name: string;
  @IsOptional() @IsString() @TextLength(1, 120) resumedBy?: string;
  @IsInt() @Min(0) pendingDeliveries: number;
  @IsTimestamp() resumedAt: string;
}

export const WebhookSubscriptionPaused = defineEvent({
  type: 'crm.webhook-subscription.paused.v1',
  topic: Topics.webhooks,
  description: 'A webhook subscription was paused after its endpoint failed too many times in a row.',
  payload: WebhookSubscriptionPausedV1,
  fixture: {
    subscriptionId: '2c7d9a3e-5b1f-4e8a-9c6d-0f1e2d3c4b5a',
    name: 'loyalty-app',
    consecutiveFailures: 10,
    lastError: 'HTTP 503',
    pendingDeliveries: 42,
    pausedAt: '2024-05-20T09:30:01.000Z',
  },
});

export const WebhookSubscriptionResumed = defineEvent({
  type: 'crm.webhook-subscription.resumed.v1',
  topic: Topics.webhooks,
  description: 'A paused webhook subscription was resumed.',
  payload: WebhookSubscriptionResumedV1,
  fixture: {
    subscriptionId: '2c7d9a3e-5b1f-4e8a-9c6d-0f1e2d3c4b5a',
    name: 'loyalty-app',
    resumedBy: 'integration-loyalty',
    pendingDeliveries: 42,
    resumedAt: '2024-05-20T10:00:00.000Z',
  },
});
