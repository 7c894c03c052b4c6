import fc from 'fast-check';
import { kafkaJsEncoder, kafkaJsRequestQueue, patchKafkaRequestQueue } from './kafka-client';

class FakeQueue {
  pending: unknown[] = [];
  throttledUntil = -1;
  throttleCheckTimeoutId: NodeJS.Timeout | null = null;
  checks = 0;
  /** As kafkajs does: sends what waits unless throttled, then schedules the next look. */
  checkPendingRequests(): void {
    this.checks += 1;
    if (this.throttledUntil <= Date.now()) this.pending = [];
    this.scheduleCheckPendingRequests();
  }
  scheduleCheckPendingRequests(): void {
    throw new Error('not patched');
  }
}

describe("kafkajs's request queue, patched", () => {
  beforeAll(() => patchKafkaRequestQueue(FakeQueue));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('arms no timer when nothing waits and nothing is throttled (the idle spin of kafkajs 2.2.4)', () => {
    const queue = new FakeQueue();
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
    jest.advanceTimersByTime(1000);
    expect(queue.checks).toBe(1);
  });

  it('looks again after 10 ms while requests wait, and at the end of a throttle', () => {
    const queue = new FakeQueue();
    queue.pending.push({});
    queue.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(9);
    expect(queue.checks).toBe(0);
    jest.advanceTimersByTime(1);
    expect(queue.checks).toBe(1);
    queue.pending = [];
    queue.throttledUntil = Date.now() + 500;
    queue.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(499);
    expect(queue.checks).toBe(1);
    jest.advanceTimersByTime(1);
    expect(queue.checks).toBe(2);
    jest.advanceTimersByTime(10_000);
    expect(queue.checks).toBe(2);
  });

  it("is applied to kafkajs's own class when the client module loads", () => {
    const { prototype } = kafkaJsRequestQueue;
    const queue = Object.assign(Object.create(prototype) as Record<string, unknown>, {
      pending: [],
      throttledUntil: -1,
      throttleCheckTimeoutId: null,
    });
    (queue.scheduleCheckPendingRequests as () => void).call(queue);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });
});

type EncodeRecord = (record: Record<string, unknown>) => { buffer: Buffer };
type EncodeBatch = (batch: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's protocol modules have no types and no ESM entry */
const patchedRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as EncodeRecord;
const patchedBatch = (require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: EncodeBatch })
  .RecordBatch;
let originalRecord!: EncodeRecord;
let originalBatch!: EncodeBatch;
let OriginalEncoder!: new () => { buf: Buffer };
// A second copy of kafkajs's modules, loaded apart from the patched ones: the encoder as kafkajs ships it.
jest.isolateModules(() => {
  OriginalEncoder = require('kafkajs/src/protocol/encoder') as new () => { buf: Buffer };
  originalRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as EncodeRecord;
  originalBatch = (require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: EncodeBatch })
    .RecordBatch;
});
/* eslint-enable @typescript-eslint/no-require-imports */

describe("kafkajs's encoder, patched", () => {
  const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
  const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });
  const payload = fc.oneof(fc.constant(null), text(40), bytes(40), text(3000), bytes(9000));
  const record = fc.record({
    offsetDelta: fc.nat({ max: 100_000 }),
    timestampDelta: fc.nat({ max: 10_000_000 }),
    key: fc.oneof(fc.constant(null), text(60), bytes(60)),
    value: payload,
    headers: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 30 }),
      fc.oneof(text(200), bytes(200), fc.array(text(50), { minLength: 1, maxLength: 3 })),
      { maxKeys: 12 },
    ),
  });

  it('is applied to the class kafkajs encodes with: an encoder starts empty', () => {
    const encoder = new (kafkaJsEncoder as unknown as new () => { buf: Buffer })();
    expect(encoder.buf.length).toBe(0);
    // The copy the comparisons below run against is kafkajs's own: 512 bytes from the start.
    expect(new OriginalEncoder().buf.length).toBe(512);
  });

  it('writes the same bytes as the encoder kafkajs ships, for any records and batches', async () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(patchedRecord(r).buffer.equals(originalRecord(r).buffer)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 20 }),
        fc.nat(),
        fc.constantFrom(0, 1), // none, gzip
        async (records, at, compression) => {
          const batch = {
            compression,
            firstTimestamp: at,
            maxTimestamp: at + 1,
            lastOffsetDelta: records.length,
          };
          const [patched, original] = await Promise.all([
            patchedBatch({ ...batch, records: records.map(patchedRecord) }),
            originalBatch({ ...batch, records: records.map(originalRecord) }),
          ]);
          expect(patched.buffer.equals(original.buffer)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
