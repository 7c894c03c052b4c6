import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@crm/contracts';
import { EventBatchPattern, type EventBatchContext } from '@crm/messaging';
import { RELAYED_TYPES } from '../subscriptions/relayed-types';
import { FanOut } from './fan-out';

/**
 * Consumes every relayed event type (one handler for all of them) and fans each out to its subscriptions,
 * a run of a partition's records at a time (each relayed event costs two inserts; per run, not per record).
 */
@Controller()
export class WebhookEventsHandler {
  constructor(private readonly fanOut: FanOut) {}

  @EventBatchPattern(RELAYED_TYPES)
  async onEvents(@Payload() events: EventEnvelope[], @Ctx() context: EventBatchContext): Promise<void> {
    await this.fanOut.accept(context.manager, events);
  }
}
