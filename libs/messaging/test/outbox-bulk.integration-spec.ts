import fc from 'fast-check';
import { Client } from 'pg';
import { CustomerUpdated, toWireHeaders, type WireHeaders } from '@crm/contracts';
import { eventually, notificationsOn, testSchema, type TestSchema } from '@crm/testing';
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

  it('lockSubjects takes the locks publish takes: a single publish of a locked subject waits for the commit', async () => {
    // Any subject text, repeated or not; the locks of other subjects stay free.
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 8 }), text, async (subjects, other) => {
        fc.pre(!subjects.includes(other));
        const tryLock = (s: string) =>
          tables.dataSource
            .query(`SELECT pg_try_advisory_lock(hashtext('outbox:' || $1)) AS got`, [s])
            .then(async ([{ got }]: { got: boolean }[]) => {
              if (got)
                await tables.dataSource.query(`SELECT pg_advisory_unlock(hashtext('outbox:' || $1))`, [s]);
              return got;
            });
        await tables.dataSource.transaction(async (manager) => {
          await publisher.lockSubjects(manager, subjects);
          for (const s of subjects) expect(await tryLock(s)).toBe(false);
          expect(await tryLock(other)).toBe(true);
        });
        for (const s of subjects) expect(await tryLock(s)).toBe(true);
      }),
      { numRuns: 25 },
    );

    await tables.dataSource.query('TRUNCATE outbox');
    const event = (i: number, correlationId: string): OutboxItem => ({
      definition: CustomerUpdated,
      payload: { customerId: subject(i), changedFields: ['name'] },
      meta: { subject: subject(i), correlationId },
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const bulk = tables.dataSource.transaction(async (manager) => {
      await publisher.lockSubjects(manager, [subject(2), subject(1)]);
      await held;
      await publisher.publishMany(manager, [event(1, 'bulk'), event(2, 'bulk')], {
        subjectsLockedByCaller: true,
      });
    });
    const single = (i: number) =>
      tables.dataSource.transaction(async (manager) => {
        const { definition, payload, meta } = event(i, 'single');
        await publisher.publish(manager, definition, payload, meta);
      });
    // A subject the bulk did not lock is published at once; a locked one waits for the bulk's commit.
    await single(3);
    const waiting = single(2);
    // Watched from a connection of its own: the pool's two are the bulk's and the waiting publish's.
    const watcher = new Client({ connectionString: process.env.DATABASE_URL });
    await watcher.connect();
    try {
      await eventually('the single publish to wait for the lock', async () => {
        const { rows } = await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
        );
        return rows[0].n === 1;
      });
    } finally {
      await watcher.end();
    }
    release();
    await Promise.all([bulk, waiting]);
    const rows = (await tables.dataSource.query(
      `SELECT message_key, headers->>'correlationid' AS correlation FROM outbox ORDER BY seq`,
    )) as { message_key: string; correlation: string }[];
    expect(rows.map((r) => [r.message_key, r.correlation])).toEqual([
      [subject(3), 'single'],
      [subject(1), 'bulk'],
      [subject(2), 'bulk'],
      [subject(2), 'single'],
    ]);
  });
});
