/** CloudEvents 1.0, Kafka protocol binding, binary content mode: attributes travel as `ce_` headers. */
export const CE_SPEC_VERSION = '1.0';

export const EnvelopeHeaders = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  specVersion: 'ce_specversion',
  subject: 'ce_subject',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  correlationId: 'correlationid',
  causationId: 'causationid',
  historical: 'ce_historical',
} as const;

/** Event metadata carried beside the payload. */
export interface EventMetadata {
  /** Unique per event; consumers dedupe on it. */
  id: string;
  /** Versioned wire type, e.g. `crm.purchase.recorded.v1`. */
  type: string;
  /** The producing service, e.g. `/crm/customer-profile`. */
  source: string;
  /** ISO-8601 time the fact happened. */
  time: string;
  /** The customer id; also the Kafka key. */
  subject: string;
  /** The id that ties every event caused by one originating request together. */
  correlationId: string;
  /** The id of the event (or request) that directly caused this one. */
  causationId?: string;
  traceparent?: string;
  tracestate?: string;
  /**
   * A fact from the past arriving now (an import, a backfill, a replay), or caused by one: state is updated
   * from it, but nothing customer-facing (a touch, a survey, a journey) is triggered by it.
   */
  historical?: boolean;
}

export interface EventEnvelope<T = unknown> extends EventMetadata {
  data: T;
}

export type WireHeaders = Record<string, string>;

export function toWireHeaders(meta: EventMetadata): WireHeaders {
  const headers: WireHeaders = {
    [EnvelopeHeaders.id]: meta.id,
    [EnvelopeHeaders.type]: meta.type,
    [EnvelopeHeaders.source]: meta.source,
    [EnvelopeHeaders.time]: meta.time,
    [EnvelopeHeaders.specVersion]: CE_SPEC_VERSION,
    [EnvelopeHeaders.subject]: meta.subject,
    [EnvelopeHeaders.contentType]: 'application/json',
    [EnvelopeHeaders.correlationId]: meta.correlationId,
  };
  if (meta.causationId) headers[EnvelopeHeaders.causationId] = meta.causationId;
  if (meta.traceparent) headers[EnvelopeHeaders.traceparent] = meta.traceparent;
  if (meta.tracestate) headers[EnvelopeHeaders.tracestate] = meta.tracestate;
  if (meta.historical) headers[EnvelopeHeaders.historical] = 'true';
  return headers;
}
