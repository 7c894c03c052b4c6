import fc from 'fast-check';
import { CustomerUpdated, toWireHeaders, type WireHeaders } from '@crm/contracts';
import { notificationsOn, testSchema, type TestSchema } from '@crm/testing';
import { OUTBOX_CHANNEL, OutboxPublisher, type OutboxItem } from '../src';

/**
 * A bulk publish stores each event exactly as a single publish would: the payload text byte for byte as
 * serialised, the wire headers, in the order given (against real Postgres; the rows travel as one JSON
 * document, so any text the payload carries must survive it).
 */
let tables: TestSchema;
let publisher: OutboxPublisher;

beforeAll(async () => {
  tables = await testSchema('outbox_bulk', []);
  publisher = new OutboxPublisher({
    serviceName: 'spec',
    schema: tables.schema,
    brokers: '',
    databaseUrl: process.env.DATABASE_URL!,
  });
});

afterAll(() => tables.drop());

interface StoredRow {
  event_id: string;
  topic: string;
  message_key: string;
  event_type: string;
  headers: WireHeaders;
  payload: string;
}

const subject = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('OutboxPublisher.publishMany against Postgres', () => {
  it('stores any payload text exactly, with its headers, in order', async () => {
    // Free text in a field the contract does not restrict: quotes, backslashes, control characters, any
    // code point (lone surrogates included), the characters of JSON itself.
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(text, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }),
        async (fields) => {
          const items: OutboxItem[] = fields.map((changedFields, i) => ({
            definition: CustomerUpdated,
            payload: { customerId: subject(i), changedFields },
            meta: {
              subject: subject(i),
              correlationId: `bulk-${i}`,
              time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
            },
          }));
          const rows = await tables.dataSource.transaction(async (manager) => {
            await manager.query('TRUNCATE outbox');
            const published = await publisher.publishMany(manager, items, { subjectsLockedByCaller: true });
            const stored = (await manager.query(
              'SELECT event_id, topic, message_key, event_type, headers, payload FROM outbox ORDER BY seq',
            )) as StoredRow[];
            return stored.map((row, i) => ({ row, id: published[i].id }));
          });
          expect(rows).toHaveLength(items.length);
          rows.forEach(({ row, id }, i) => {
            expect(row.event_id).toBe(id);
            expect([row.topic, row.message_key, row.event_type]).toEqual([
              CustomerUpdated.topic,
              subject(i),
              CustomerUpdated.type,
            ]);
            expect(row.payload).toBe(JSON.stringify(items[i].payload));
            expect(row.headers).toEqual(
              toWireHeaders({
                id,
                type: CustomerUpdated.type,
                source: '/crm/spec',
                time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
                subject: subject(i),
                correlationId: `bulk-${i}`,
              }),
            );
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('wakes the relay once, at commit, and not for a transaction rolled back', async () => {
    const listener = await notificationsOn(OUTBOX_CHANNEL);
    const items = (n: number): OutboxItem[] =>
      Array.from({ length: n }, (_, i) => ({
        definition: CustomerUpdated,
        payload: { customerId: subject(i), changedFields: ['name'] },
        meta: { subject: subject(i), correlationId: 'wake' },
      }));
    try {
      await tables.dataSource
        .transaction(async (manager) => {
          await publisher.publishMany(manager, items(3), { subjectsLockedByCaller: true });
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      await listener.settle();
      expect(listener.heard).toEqual([]);
      await tables.dataSource.transaction(async (manager) => {
        await publisher.publishMany(manager, items(3), { subjectsLockedByCaller: true });
        await publisher.publishMany(manager, items(2), { subjectsLockedByCaller: true });
      });
      await listener.settle();
      expect(listener.heard).toEqual([`${OUTBOX_CHANNEL}:${tables.schema}`]);
    } finally {
      await listener.close();
    }
  });
});
