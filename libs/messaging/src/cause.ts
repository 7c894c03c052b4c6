import type { EventEnvelope } from '@crm/contracts';
import type { PublishMetadata } from './outbox.publisher';

/**
 * What caused a change, carried into every event the change publishes: the correlation id of the whole
 * cascade, and the event being handled or the bulk run (a sweep, an import) that caused it. The one shape
 * every handler, request and bulk job passes down.
 */
export interface Cause {
  correlationId: string;
  /** The event being handled (its `ce_id`). */
  eventId?: string;
  /** A bulk run that caused the change, when no single event did. */
  runId?: string;
}

/** The cause an event's handler passes on. */
export function causeOf(event: Pick<EventEnvelope, 'id' | 'correlationId'>): Cause {
  return { eventId: event.id, correlationId: event.correlationId };
}

/** Publish metadata for an event about `subject` that `cause` caused. */
export function causedBy(subject: string, cause: Cause): PublishMetadata {
  return { subject, correlationId: cause.correlationId, causationId: cause.eventId ?? cause.runId };
}
