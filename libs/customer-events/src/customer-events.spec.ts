import fc from 'fast-check';
import {
  backoffDelayMs,
  claimEvent,
  decodeEvent,
  decodeState,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  EventDecodeError,
  isEvent,
  isLifecycleStageChangedV1,
  isNewerRevision,
  isSegmentChangedV1,
  KeyedSerialQueue,
  PermanentFailure,
  RecentEventIds,
  topicsFor,
  tryDecodeEvent,
  withRetries,
  type EventType,
  type KafkaRecordLike,
} from './index';

const fixtureOf = (type: EventType) => (EVENT_SCHEMAS[type].examples as unknown[])[0] as Record<string, any>;
const subjectOf = (type: EventType) => String(fixtureOf(type).customerId ?? fixtureOf(type).segmentId);

function recordOf(
  type: EventType,
  payload: unknown = fixtureOf(type),
  extra: Record<string, string> = {},
): KafkaRecordLike {
  return {
    key: Buffer.from(subjectOf(type)),
    value: Buffer.from(JSON.stringify(payload)),
    headers: {
      ce_id: Buffer.from('evt-1'),
      ce_type: Buffer.from(type),
      ce_source: Buffer.from('/crm/test'),
      ce_time: Buffer.from('2024-05-20T09:30:00.000Z'),
      ce_specversion: Buffer.from('1.0'),
      ce_subject: Buffer.from(subjectOf(type)),
      correlationid: Buffer.from('corr-1'),
      ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, Buffer.from(v)])),
    },
  };
}

function rejection(record: KafkaRecordLike): EventDecodeError {
  const result = tryDecodeEvent(record);
  if (result.ok) throw new Error('expected the record to be rejected');
  return result.error;
}

describe('decodeEvent', () => {
  it.each(EVENT_TYPES.map((t) => [t]))('decodes the published example of %s into a typed event', (type) => {
    const event = decodeEvent(recordOf(type));
    expect(event).toMatchObject({ id: 'evt-1', type, subject: subjectOf(type), correlationId: 'corr-1' });
    expect(event.data).toEqual(fixtureOf(type));
    expect(event.unknownEnumValues).toEqual([]);
    expect(event.historical).toBe(false);
    expect(decodeEvent(recordOf(type, undefined, { ce_historical: 'true' })).historical).toBe(true);
  });

  it('narrows with a type guard, generic or one per event type', () => {
    const event = decodeEvent(recordOf('crm.segment.changed.v1'));
    expect(isEvent(event, 'crm.segment.changed.v1') && event.data.segment).toBe('core');
    expect(isEvent(event, 'crm.lifecycle-stage.changed.v1')).toBe(false);
    expect(isSegmentChangedV1(event) && event.data.change).toBe('entered');
    expect(isLifecycleStageChangedV1(event)).toBe(false);
  });

  it('names the reason and the fields of what it rejects', () => {
    const base = recordOf('crm.purchase.recorded.v1');
    expect(rejection({ ...base, headers: { ...base.headers, ce_type: undefined } }).code).toBe(
      'MISSING_HEADER',
    );
    expect(rejection(recordOf('crm.purchase.recorded.v1', undefined, { ce_specversion: '0.3' })).code).toBe(
      'UNSUPPORTED_SPEC_VERSION',
    );
    expect(
      rejection(recordOf('crm.purchase.recorded.v1', undefined, { ce_type: 'crm.thing.done.v9' })).code,
    ).toBe('UNKNOWN_TYPE');
    expect(rejection({ ...base, key: Buffer.from('someone-else') }).code).toBe('KEY_MISMATCH');
    expect(rejection({ ...base, value: Buffer.from('{not json') }).code).toBe('UNPARSEABLE');
    const invalid = rejection(
      recordOf('crm.purchase.recorded.v1', {
        ...fixtureOf('crm.purchase.recorded.v1'),
        amount: 'ten',
        currency: undefined,
      }),
    );
    expect(invalid.code).toBe('INVALID_PAYLOAD');
    expect(invalid.fields.sort()).toEqual(['amount', 'currency']);
  });

  it('delivers an enum value it does not know yet, and says which field carries it', () => {
    const payload = {
      ...fixtureOf('crm.lifecycle-stage.changed.v1'),
      stage: 'hibernating',
      previousStage: 'dormant',
    };
    const event = decodeEvent(recordOf('crm.lifecycle-stage.changed.v1', payload));
    expect(event.unknownEnumValues.sort()).toEqual(['previousStage', 'stage']);
  });

  it('answers any record with an event or an EventDecodeError, never anything else', () => {
    const bytes = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constant(null),
    );
    fc.assert(
      fc.property(
        fc.record({
          key: fc.option(fc.string(), { nil: undefined }),
          value: bytes.map((v) => (v === null ? null : Buffer.from(v))),
          headers: fc.dictionary(
            fc.constantFrom('ce_id', 'ce_type', 'ce_subject', 'ce_specversion', 'x'),
            fc.oneof(fc.string(), fc.constantFrom(...EVENT_TYPES), fc.constant('1.0')),
          ),
        }),
        (record) => {
          const result = tryDecodeEvent(record);
          if (result.ok) expect(EVENT_TYPES).toContain(result.event.type);
          else expect(result.error).toBeInstanceOf(EventDecodeError);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('decodeState', () => {
  it('reads a snapshot and a tombstone of the compacted state topic', () => {
    const snapshot = decodeState(recordOf('crm.customer-state.snapshot.v1'));
    expect(snapshot).toMatchObject({ erased: false, state: { revision: 7, valueTier: 'high-value' } });
    expect(decodeState({ key: Buffer.from('c-1'), value: null, headers: {} })).toEqual({
      customerId: 'c-1',
      erased: true,
    });
    expect(() => decodeState(recordOf('crm.segment.changed.v1'))).toThrow(/not a customer state snapshot/);
  });
});

describe('idempotency, ordering and retry helpers', () => {
  it('claims an event id once per consumer', async () => {
    const rows = new Set<string>();
    const db = {
      query: async (_sql: string, params?: unknown[]) => {
        const key = (params ?? []).join('|');
        const fresh = !rows.has(key);
        rows.add(key);
        return { rowCount: fresh ? 1 : 0 };
      },
    };
    expect(await claimEvent(db, 'c', 'e1')).toBe(true);
    expect(await claimEvent(db, 'c', 'e1')).toBe(false);
    expect(await claimEvent(db, 'other', 'e1')).toBe(true);
  });

  it('remembers the last ids within its capacity', () => {
    const recent = new RecentEventIds(2);
    expect([
      recent.firstTime('a'),
      recent.firstTime('a'),
      recent.firstTime('b'),
      recent.firstTime('c'),
    ]).toEqual([true, false, true, true]);
    expect(recent.firstTime('a')).toBe(true); // forgotten: beyond the window
  });

  it('runs one key’s tasks in submission order, whatever their durations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat(5), fc.boolean()), { maxLength: 30 }),
        async (tasks) => {
          const queue = new KeyedSerialQueue();
          const done: string[] = [];
          await Promise.allSettled(
            tasks.map(([key, ms, fails], i) =>
              queue.run(key, async () => {
                await new Promise((resolve) => setTimeout(resolve, ms));
                done.push(`${key}${i}`);
                if (fails) throw new Error('task failed');
              }),
            ),
          );
          for (const key of ['a', 'b', 'c']) {
            const expected = tasks.flatMap(([k], i) => (k === key ? [`${k}${i}`] : []));
            expect(done.filter((d) => d.startsWith(key))).toEqual(expected);
          }
          expect(queue.pending).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps the highest revision', () => {
    expect(isNewerRevision(undefined, { revision: 1 })).toBe(true);
    expect(isNewerRevision({ revision: 3 }, { revision: 2 })).toBe(false);
    expect(isNewerRevision({ revision: 3 }, { revision: 4 })).toBe(true);
  });

  it('backs off between half and all of a doubling, capped delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          const policy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5000 };
          const ceiling = Math.min(5000, 200 * 2 ** (attempt - 1));
          const delay = backoffDelayMs(attempt, policy, () => r);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('retries what may pass, up to the attempts, and never what cannot', async () => {
    const sleep = async () => undefined;
    let calls = 0;
    const transient = await withRetries(
      async () => {
        calls++;
        throw new Error('database restarting');
      },
      undefined,
      sleep,
    );
    expect({ ok: transient.ok, attempts: transient.attempts, calls }).toEqual({
      ok: false,
      attempts: 5,
      calls: 5,
    });
    const permanent = await withRetries(
      async () => {
        throw new PermanentFailure('order for an unknown product line');
      },
      undefined,
      sleep,
    );
    expect(permanent.attempts).toBe(1);
    const passes = await withRetries(
      async (attempt) => (attempt < 3 ? Promise.reject(new Error('x')) : 'ok'),
      undefined,
      sleep,
    );
    expect(passes).toEqual({ ok: true, value: 'ok', attempts: 3 });
    expect(topicsFor(['crm.segment.changed.v1', 'crm.lifecycle-stage.changed.v1'])).toEqual([
      'crm.scoring.v1',
    ]);
  });
});
