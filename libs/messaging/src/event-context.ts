import { EventPattern } from '@nestjs/microservices';
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

/**
 * What a batch handler (`@EventBatchPattern`) gets beside its events: the one transaction they share (their
 * inbox rows are in it) and where they came from. The events are consecutive records of one partition, in
 * order, each new to this consumer group.
 */
export class EventBatchContext {
  constructor(
    readonly events: readonly EventEnvelope[],
    readonly manager: EntityManager,
    readonly delivery: { topic: string; partition: number; offsets: string[]; attempt: number },
  ) {}

  /**
   * The context of the run's `index`th record taken on its own, in the run's transaction: what it publishes
   * is caused by that record. For a batch handler that takes some records of its run one by one.
   */
  record(index: number, outbox: OutboxPublisher): EventContext {
    const event = this.events[index];
    if (!event) throw new RangeError(`record ${index} is not in a run of ${this.events.length}`);
    return new EventContext(event, this.manager, outbox, {
      topic: this.delivery.topic,
      partition: this.delivery.partition,
      offset: this.delivery.offsets[index],
      attempt: this.delivery.attempt,
    });
  }
}

/** The extras key `EventBatchPattern` marks its handlers with. */
export const BATCH_HANDLER = 'crmBatchHandler';

/**
 * `@EventPattern` for a handler that takes consecutive records of a partition together: it is called with
 * an array of envelopes (`@Payload() events: EventEnvelope[]`) and an `EventBatchContext`, once per run of
 * records the transport applies in one transaction, and with one envelope on the record-by-record path
 * (retries, a run that failed). Its effects must be those of handling the events one by one in order; it
 * may do them set-based. A failure rolls back the whole run, which is then applied record by record.
 */
export function EventBatchPattern(types: string | string[]): MethodDecorator {
  // The key groups the run's records by handler: every type of one decorator shares it.
  return EventPattern(types, { [BATCH_HANDLER]: Symbol(String(types)) });
}
