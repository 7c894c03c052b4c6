import fc from 'fast-check';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { CustomerRegistered, EventRegistry, PurchaseRecorded } from '@crm/contracts';
import { fetchMaxWait, KafkaEventTransport } from './kafka-event.transport';
import type { OutboxPublisher } from './outbox.publisher';

/**
 * Records a consumer has no handler for are skipped on their type header, whatever the batch: each read
 * once or twice, never a transaction, every offset resolved in order. (A unit test: the broker and the
 * database are stand-ins that record what they were asked; the guarantees against real ones are in
 * test/messaging.integration-spec.ts.)
 */
function transport(maxBatchSize: number) {
  const transactions: unknown[] = [];
  const dataSource = {
    createQueryRunner: () => {
      transactions.push(new Error('a transaction was opened').stack);
      throw new Error('no database here');
    },
  } as unknown as DataSource;
  const server = new KafkaEventTransport({
    brokers: 'unused:9092',
    clientId: 'spec',
    consumerGroup: 'spec',
    dataSource,
    outbox: {} as OutboxPublisher,
    registry: new EventRegistry(),
    maxBatchSize,
  });
  // The consumer handles registrations only; purchases are none of its business.
  server.addHandler(CustomerRegistered.type, async () => undefined, true);
  return { server, transactions };
}

const ignored = (offset: number, tombstone: boolean): KafkaMessage => ({
  offset: String(offset),
  key: Buffer.from(`customer-${offset % 7}`),
  value: tombstone ? null : Buffer.from('{"not":"decoded"}'),
  headers: { ce_type: Buffer.from(PurchaseRecorded.type), ce_id: Buffer.from(`id-${offset}`) },
  timestamp: '0',
  attributes: 0,
});

describe('KafkaEventTransport, records it has no handler for', () => {
  it('reads each one at most twice and resolves every offset in order, without a transaction', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { maxLength: 600 }),
        fc.integer({ min: 1, max: 300 }),
        async (tombstones, maxBatchSize) => {
          const { server, transactions } = transport(maxBatchSize);
          const lookups = jest.spyOn(server as unknown as { unhandled: () => boolean }, 'unhandled');
          const resolved: string[] = [];
          const messages = tombstones.map((tombstone, i) => ignored(100 + i, tombstone));
          const payload = {
            batch: { topic: PurchaseRecorded.topic, partition: 0, messages },
            resolveOffset: (offset: string) => void resolved.push(offset),
            heartbeat: async () => undefined,
            isRunning: () => true,
            isStale: () => false,
          } as unknown as EachBatchPayload;
          await (server as unknown as { consumeBatch: (p: EachBatchPayload) => Promise<void> }).consumeBatch(
            payload,
          );
          expect(resolved).toEqual(messages.map((m) => m.offset));
          expect(transactions).toEqual([]);
          expect(lookups.mock.calls.length).toBeLessThanOrEqual(2 * messages.length);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('fetchMaxWait', () => {
  it('is the configured wait (5 s unless set), never more than a third of the session timeout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6000, max: 300_000 }),
        fc.option(fc.integer({ min: 10, max: 100_000 }), { nil: undefined }),
        (session, configured) => {
          const wait = fetchMaxWait(session, configured);
          expect(wait).toBeLessThanOrEqual(session / 3);
          expect(wait).toBeLessThanOrEqual(configured ?? 5000);
          expect(wait === (configured ?? 5000) || wait === Math.floor(session / 3)).toBe(true);
        },
      ),
    );
    expect(fetchMaxWait(30_000)).toBe(5000);
    expect(fetchMaxWait(30_000, 500)).toBe(500);
    expect(fetchMaxWait(6000, 5000)).toBe(2000);
  });
});
