import type { EntityManager } from 'typeorm';
import type { EventDefinition, EventEnvelope } from '@crm/contracts';
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

  publish<P extends object>(
    definition: EventDefinition<P>,
    payload: P,
    subject = this.event.subject,
  ): Promise<PublishedEvent> {
    return this.outbox.publish(this.manager, definition, payload, {
      subject,
      correlationId: this.event.correlationId,
      causationId: this.event.id,
    });
  }
}
