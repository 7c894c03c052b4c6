import type { EntityManager } from 'typeorm';
import type { EventDefinition, EventEnvelope } from '@crm/contracts';
import { causedBy, causeOf, type Cause } from './cause';
import type { OutboxPublisher, PublishedEvent } from './outbox.publisher';

/**
 * What a handler gets beside the event: the transaction its effects must use (the inbox row is in it)
 * and a publish that carries the correlation id forward and names this event as the cause.
 */
export class EventContext<T = unknown> {
  constructor(
    readonly event: EventEnvelope<T>,
    readonly manager: EntityManager,
    private readonly outbox: OutboxPublisher,
    readonly delivery: { topic: string; partition: number; offset: string; attempt: number },
  ) {}

  /** This event as the cause of what the handler changes. */
  get cause(): Cause {
    return causeOf(this.event);
  }

  publish<P extends object>(
    definition: EventDefinition<P>,
    payload: P,
    subject = this.event.subject,
  ): Promise<PublishedEvent> {
    return this.outbox.publish(this.manager, definition, payload, causedBy(subject, this.cause));
  }
}
