import type { EventEnvelope } from '@crm/contracts';
import { counter } from '@crm/observability';
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
  /** The change comes from a past fact (an import, a backfill): what it publishes is historical too. */
  historical?: boolean;
}

/**
 * The cause an event's handler passes on. What a historical event causes is historical; so is what a late
 * fact causes (a purchase recorded today that happened last month): the re-scoring it leads to is right, but
 * a tier welcome for it would be news about the past.
 */
export function causeOf(
  event: Pick<EventEnvelope, 'id' | 'correlationId' | 'historical'> & { time?: string },
): Cause {
  const late = event.time !== undefined && !isNews({ time: event.time });
  return {
    eventId: event.id,
    correlationId: event.correlationId,
    ...(event.historical || late ? { historical: true } : {}),
  };
}

/** Publish metadata for an event about `subject` that `cause` caused. */
export function causedBy(subject: string, cause: Cause): PublishMetadata {
  return {
    subject,
    correlationId: cause.correlationId,
    causationId: cause.eventId ?? cause.runId,
    ...(cause.historical ? { historical: true } : {}),
  };
}

/** The default of TRIGGER_RECENCY_HOURS. */
export const DEFAULT_TRIGGER_RECENCY_HOURS = 72;

/**
 * Whether an event may trigger something customer-facing: history is not news. Not when it is historical (an
 * import, a backfill, or caused by one), nor when the fact it reports (`ce_time`) is older than the window.
 */
export function isNews(
  event: Pick<EventEnvelope, 'historical' | 'time'>,
  recencyHours: number = DEFAULT_TRIGGER_RECENCY_HOURS,
  now = Date.now(),
): boolean {
  if (event.historical) return false;
  const time = Date.parse(event.time);
  return Number.isNaN(time) || now - time <= recencyHours * 3_600_000;
}

const historySkipped = () =>
  counter(
    'crm_triggers_skipped_historical_total',
    'Customer-facing triggers not fired for historical or late events',
    ['trigger'],
  );

/** isNews for a named trigger: when the event is not news, counts the skipped trigger and answers false. */
export function firesOn(
  event: Pick<EventEnvelope, 'historical' | 'time'>,
  trigger: string,
  recencyHours?: number,
): boolean {
  if (isNews(event, recencyHours)) return true;
  historySkipped().inc({ trigger });
  return false;
}
