import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { EVENT_SCHEMAS, EVENT_TOPICS, type EventPayloads, type EventType } from './generated/contracts';

/** What kafkajs (and most Kafka clients) hand a consumer: key, value and headers of one record. */
export interface KafkaRecordLike {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
}

/** One customer event: the CloudEvents attributes from the headers and the validated payload. */
export interface CustomerEvent<T extends EventType = EventType> {
  /** Unique per event: the idempotency key. */
  id: string;
  type: T;
  /** The producing service, `/crm/<service>`. */
  source: string;
  /** When the fact happened (RFC 3339). */
  time: string;
  /** The customer id (the segment id on crm.segments.v1); equal to the record key. */
  subject: string;
  correlationId: string;
  causationId?: string;
  traceparent?: string;
  /** A past fact arriving now (an import, a backfill), or caused by one: update state, contact nobody. */
  historical: boolean;
  data: EventPayloads[T];
  /**
   * Paths of enum fields whose value this library's schemas do not know yet (a newer minor version of the
   * contracts added it). The event is still delivered: treat such a value as "other", do not fail.
   */
  unknownEnumValues: string[];
}

export type DecodeErrorCode =
  | 'MISSING_HEADER'
  | 'UNSUPPORTED_SPEC_VERSION'
  | 'UNKNOWN_TYPE'
  | 'TOMBSTONE'
  | 'UNPARSEABLE'
  | 'INVALID_PAYLOAD'
  | 'KEY_MISMATCH';

/**
 * A record that is not a valid event. `UNKNOWN_TYPE` is a type newer than this library (or not a customer
 * event): skip it. Every other code is permanent (retrying cannot help): dead-letter the record with the
 * message and move on.
 */
export class EventDecodeError extends Error {
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    readonly fields: string[] = [],
  ) {
    super(message);
    this.name = 'EventDecodeError';
  }
}

function header(record: KafkaRecordLike, name: string): string | undefined {
  const value = record.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

let validators: Map<string, ValidateFunction> | undefined;

function validatorFor(type: EventType): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv2020({ allErrors: true, strict: false, multipleOfPrecision: 9 });
    addFormats(ajv);
    validators = new Map(
      Object.entries(EVENT_SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)] as const),
    );
  }
  return validators.get(type)!;
}

function pathOf(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return path ? `${path}.${missing}` : missing;
  }
  return path || '(payload)';
}

export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_SCHEMAS, type);
}

/** Decodes and validates one record, or throws EventDecodeError naming the reason and the fields. */
export function decodeEvent(record: KafkaRecordLike): CustomerEvent {
  for (const name of ['ce_id', 'ce_type', 'ce_subject']) {
    if (!header(record, name))
      throw new EventDecodeError('MISSING_HEADER', `header ${name} is missing`, [name]);
  }
  const specVersion = header(record, 'ce_specversion');
  if (specVersion !== '1.0') {
    throw new EventDecodeError(
      'UNSUPPORTED_SPEC_VERSION',
      `ce_specversion "${specVersion ?? ''}" is not 1.0`,
      ['ce_specversion'],
    );
  }
  const type = header(record, 'ce_type')!;
  if (!isKnownEventType(type))
    throw new EventDecodeError('UNKNOWN_TYPE', `unknown event type ${type}`, ['ce_type']);
  const subject = header(record, 'ce_subject')!;
  const key = record.key?.toString();
  if (key !== undefined && key !== subject) {
    throw new EventDecodeError('KEY_MISMATCH', `record key ${key} is not ce_subject ${subject}`, ['key']);
  }
  if (record.value === null) {
    throw new EventDecodeError(
      'TOMBSTONE',
      `${type}: a tombstone (null value) for ${subject}; see decodeState`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(record.value.toString());
  } catch (error) {
    throw new EventDecodeError('UNPARSEABLE', `${type}: payload is not JSON (${(error as Error).message})`);
  }
  const validate = validatorFor(type);
  const unknownEnumValues: string[] = [];
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    const blocking = errors.filter((e) => e.keyword !== 'enum' && !isEnumBranch(e, errors));
    if (blocking.length > 0 || errors.length === 0) {
      const fields = [...new Set(blocking.map(pathOf))];
      throw new EventDecodeError(
        'INVALID_PAYLOAD',
        `${type}: ${blocking.map((e) => `${pathOf(e)}: ${e.message ?? e.keyword}`).join('; ')}`,
        fields,
      );
    }
    unknownEnumValues.push(...new Set(errors.filter((e) => e.keyword === 'enum').map(pathOf)));
  }
  return {
    id: header(record, 'ce_id')!,
    type,
    source: header(record, 'ce_source') ?? '',
    time: header(record, 'ce_time') ?? '',
    subject,
    correlationId: header(record, 'correlationid') ?? header(record, 'ce_id')!,
    causationId: header(record, 'causationid'),
    traceparent: header(record, 'traceparent'),
    historical: header(record, 'ce_historical') === 'true',
    data: data as EventPayloads[EventType],
    unknownEnumValues,
  };
}

/** An optional enum field is `anyOf: [enum, null]`: an unknown value fails both branches and the anyOf. */
function isEnumBranch(error: ErrorObject, all: ErrorObject[]): boolean {
  if (error.keyword === 'type' && (error.params as { type?: string }).type === 'null') {
    return all.some((e) => e.keyword === 'enum' && e.instancePath === error.instancePath);
  }
  if (error.keyword === 'anyOf')
    return all.some((e) => e.keyword === 'enum' && e.instancePath === error.instancePath);
  return false;
}

export type DecodeResult = { ok: true; event: CustomerEvent } | { ok: false; error: EventDecodeError };

/** decodeEvent without throwing. */
export function tryDecodeEvent(record: KafkaRecordLike): DecodeResult {
  try {
    return { ok: true, event: decodeEvent(record) };
  } catch (error) {
    if (error instanceof EventDecodeError) return { ok: false, error };
    throw error;
  }
}

/** Narrows an event to one type: `if (isEvent(event, 'crm.segment.changed.v1')) event.data.segment`. */
export function isEvent<T extends EventType>(event: CustomerEvent, type: T): event is CustomerEvent<T> {
  return event.type === type;
}

/** The topic an event type is published on, e.g. to subscribe to exactly what a handler needs. */
export function topicOf(type: EventType): string {
  return EVENT_TOPICS[type];
}

/** The topics carrying any of the given event types. */
export function topicsFor(types: readonly EventType[]): string[] {
  return [...new Set(types.map(topicOf))].sort();
}

export type CustomerStateRecord =
  | { customerId: string; erased: false; state: EventPayloads['crm.customer-state.snapshot.v1'] }
  | { customerId: string; erased: true };

/** Decodes a record of the compacted `crm.customer-state.v1`: a snapshot, or (null value) an erasure. */
export function decodeState(record: KafkaRecordLike): CustomerStateRecord {
  if (record.value === null) {
    const customerId = record.key?.toString() ?? header(record, 'ce_subject');
    if (!customerId)
      throw new EventDecodeError('MISSING_HEADER', 'a tombstone without key or ce_subject', ['key']);
    return { customerId, erased: true };
  }
  const event = decodeEvent(record);
  if (!isEvent(event, 'crm.customer-state.snapshot.v1')) {
    throw new EventDecodeError('UNKNOWN_TYPE', `${event.type} is not a customer state snapshot`, ['ce_type']);
  }
  return { customerId: event.subject, erased: false, state: event.data };
}
