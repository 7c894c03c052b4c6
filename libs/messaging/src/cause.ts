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
  /**
   * The W3C trace context the causing event arrived with. What the change publishes joins that trace even
   * when it is published in another's span (a batch handler's one span for a run of several records).
   */
  trace?: TraceHeaders;
}

/** A message's W3C trace context headers. */
export interface TraceHeaders {
  traceparent?: string;
  tracestate?: string;
}

/**
 * The cause an event's handler passes on. What a historical event causes is historical; so is what a late
 * fact causes (a purchase recorded today that happened last month): the re-scoring it leads to is right, but
 * a tier welcome for it would be news about the past.
 */
export function causeOf(
  event: Pick<EventEnvelope, 'id' | 'correlationId' | 'historical'> & { time?: string } & TraceHeaders,
): Cause {
  const late = event.time !== undefined && !isNews({ time: event.time });
  return {
    eventId: event.id,
    correlationId: event.correlationId,
    ...(event.historical || late ? { historical: true } : {}),
    ...(event.traceparent
      ? {
          trace: {
            traceparent: event.traceparent,
            ...(event.tracestate ? { tracestate: event.tracestate } : {}),
          },
        }
      : {}),
  };
}

/** Publish metadata for an event about `subject` that `cause` caused. */
export function causedBy(subject: string, cause: Cause): PublishMetadata {
  return {
    subject,
    correlationId: cause.correlationId,
    causationId: cause.eventId ?? cause.runId,
    ...(cause.historical ? { historical: true } : {}),
    ...(cause.trace ? { trace: cause.trace } : {}),
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

/**
 * One cause for every subject a change touches, or each subject's own (a run of events handled together,
 * each the cause of what changes for its subject). Subjects are looked up exactly as given.
 */
export type Causes = Cause | ReadonlyMap<string, Cause>;

/** The cause of the change to `subject`. */
export function causeFor(causes: Causes, subject: string): Cause {
  if (!(causes instanceof Map)) return causes as Cause;
  const cause = (causes as ReadonlyMap<string, Cause>).get(subject);
  if (!cause) throw new Error(`no cause given for ${subject}`);
  return cause;
}

/**
 * Splits a run of events into waves in which no key appears twice (a key: a row the event's handling
 * writes, such as its subject): an event goes into the wave after the last one holding any of its keys,
 * in the run's order. Handling the waves in turn, each set-based, has the effects of handling the events one
 * by one, since events that share a key keep their order and the others touch different rows.
 */
export function wavesByKeys<T>(items: readonly T[], keysOf: (item: T) => readonly string[]): T[][] {
  const lastWave = new Map<string, number>();
  const waves: T[][] = [];
  for (const item of items) {
    const keys = keysOf(item);
    let n = 0;
    for (const key of keys) n = Math.max(n, (lastWave.get(key) ?? -1) + 1);
    for (const key of keys) lastWave.set(key, n);
    (waves[n] ??= []).push(item);
  }
  return waves;
}

/**
 * The last event of each key, in the run's order of those last events: for a handler whose effect is to
 * keep the latest value per key, handling these has the effects of handling the whole run one by one.
 */
export function lastOfEach<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const last = new Map<string, number>();
  items.forEach((item, i) => last.set(keyOf(item), i));
  return items.filter((item, i) => last.get(keyOf(item)) === i);
}
