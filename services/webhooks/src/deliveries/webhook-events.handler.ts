import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@crm/contracts';
import type { EventContext } from '@crm/messaging';
import { RELAYED_TYPES } from '../subscriptions/relayed-types';
import { FanOut } from './fan-out';

/** Consumes every relayed event type (one handler for all of them) and fans each out to its subscriptions. */
@Controller()
export class WebhookEventsHandler {
  constructor(private readonly fanOut: FanOut) {}

  @EventPattern(RELAYED_TYPES)
  async onEvent(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    await this.fanOut.accept(context.manager, event);
  }
}
