import fc from 'fast-check';
import type { EntityManager } from 'typeorm';
import { CustomerUpdated, EventRejectedError } from '@crm/contracts';
import { BULK_CHUNK_CHARACTERS, OutboxPublisher, traceOf, type OutboxItem } from './outbox.publisher';

function fakeManager() {
  const queries: { sql: string; params: unknown[] }[] = [];
  const manager = {
    queryRunner: { isTransactionActive: true },
    query: async (sql: string, params: unknown[] = []) => {
      queries.push({ sql, params });
      return [];
    },
  } as unknown as EntityManager;
  return { manager, queries };
}

const publisher = new OutboxPublisher({ serviceName: 'spec', schema: 'spec', brokers: '', databaseUrl: '' });
const items = (count: number, invalidAt: number[] = []): OutboxItem[] =>
  Array.from({ length: count }, (_, i) => ({
    definition: CustomerUpdated,
    payload: invalidAt.includes(i + 1)
      ? { ...CustomerUpdated.fixture, customerId: 'not-a-uuid' }
      : { ...CustomerUpdated.fixture, customerId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
    meta: { subject: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, correlationId: 'spec' },
  }));

describe('OutboxPublisher.publishMany', () => {
  it('writes many events in order with one INSERT per 5,000, each waking the relay', async () => {
    const { manager, queries } = fakeManager();
    const published = await publisher.publishMany(manager, items(7000), { subjectsLockedByCaller: true });
    expect(published).toHaveLength(7000);
    const inserts = queries.filter((q) => q.sql.includes('INSERT INTO outbox'));
    const rows = inserts.map((q) => JSON.parse(q.params[0] as string) as unknown[][]);
    expect(rows.map((chunk) => chunk.length)).toEqual([5000, 2000]);
    // Each row: event id, topic, key, type, wire headers, payload text.
    const [id, topic, key, type, headers, payload] = rows[0][1];
    expect([id, topic, key, type]).toEqual([
      published[1].id,
      CustomerUpdated.topic,
      '00000000-0000-4000-8000-000000000001',
      CustomerUpdated.type,
    ]);
    expect(headers).toMatchObject({ ce_id: published[1].id, ce_subject: key, ce_type: type });
    expect(JSON.parse(payload as string)).toEqual(items(7000)[1].payload);
    expect(queries.map((q) => q.sql.includes('pg_notify'))).toEqual([true, true]);
    expect(inserts.map((q) => q.params.slice(1))).toEqual([
      ['crm_outbox', 'spec'],
      ['crm_outbox', 'spec'],
    ]);
  });

  it('cuts a bulk of large events by size as well, keeping their order', async () => {
    const { manager, queries } = fakeManager();
    // Each payload about a fifth of a chunk's characters: five fill a chunk, the sixth starts the next.
    const large = 'x'.repeat(Math.floor(BULK_CHUNK_CHARACTERS / 5) - 200);
    const bulk = items(12).map((item) => ({
      ...item,
      payload: { ...(item.payload as object), changedFields: [large] },
    }));
    const published = await publisher.publishMany(manager, bulk, { subjectsLockedByCaller: true });
    const chunks = queries
      .filter((q) => q.sql.includes('INSERT INTO outbox'))
      .map((q) => JSON.parse(q.params[0] as string) as unknown[][]);
    expect(chunks.map((chunk) => chunk.length)).toEqual([5, 5, 2]);
    expect(chunks.flat().map((row) => row[0])).toEqual(published.map((p) => p.id));
  });

  it('validates every payload by default and refuses the batch with the field named', async () => {
    const { manager, queries } = fakeManager();
    const attempt = publisher.publishMany(manager, items(300, [150]), { subjectsLockedByCaller: true });
    await expect(attempt).rejects.toBeInstanceOf(EventRejectedError);
    await expect(attempt).rejects.toThrow('customerId');
    expect(queries.filter((q) => q.sql.includes('INSERT INTO outbox'))).toEqual([]);
  });

  it('in sample mode validates the first 100 of a type and one in a hundred after', async () => {
    const { manager } = fakeManager();
    const sample = { subjectsLockedByCaller: true as const, validation: 'sample' as const };
    await expect(publisher.publishMany(manager, items(300, [150]), sample)).resolves.toHaveLength(300);
    await expect(publisher.publishMany(manager, items(300, [200]), sample)).rejects.toThrow('customerId');
    await expect(publisher.publishMany(manager, items(300, [7]), sample)).rejects.toThrow('customerId');
  });

  it('needs an active transaction', async () => {
    const manager = { queryRunner: undefined, query: jest.fn() } as unknown as EntityManager;
    await expect(publisher.publishMany(manager, items(1), { subjectsLockedByCaller: true })).rejects.toThrow(
      'active transaction',
    );
  });
});

describe('the trace an event is published in', () => {
  const hex = (length: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
  const traceparent = fc
    .tuple(hex(32), hex(16), fc.constantFrom('00', '01'))
    .map(([trace, span, flags]) => `00-${trace}-${span}-${flags}`);
  const traceIdOf = (header: string | undefined) => header?.split('-')[1];

  it("is the active span's when the cause came in the same trace or with none, else the cause's", () => {
    fc.assert(
      fc.property(
        fc.option(traceparent, { nil: undefined }),
        fc.option(traceparent, { nil: undefined }),
        fc.boolean(),
        (activeHeader, causeHeader, sameTrace) => {
          // Half the time the cause is another span of the active trace (a single record's consumer span).
          const cause =
            sameTrace && activeHeader && causeHeader
              ? `00-${traceIdOf(activeHeader)}-${causeHeader.split('-')[2]}-01`
              : causeHeader;
          const active = { traceparent: activeHeader };
          const chosen = traceOf(
            { trace: cause ? { traceparent: cause, tracestate: 'v=1' } : undefined },
            active,
          );
          if (!cause || traceIdOf(cause) === traceIdOf(activeHeader)) expect(chosen).toBe(active);
          else expect(chosen).toEqual({ traceparent: cause, tracestate: 'v=1' });
        },
      ),
    );
  });

  it('never passes on a cause header that is not a valid traceparent', () => {
    const valid = /^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          traceparent.map((t) => t.toUpperCase()),
          traceparent.map((t) => `${t} `),
          traceparent.map((t) => t.replace(/-[0-9a-f]{32}-/, `-${'0'.repeat(32)}-`)),
          traceparent.map((t) => t.replace(/-[0-9a-f]{16}-/, `-${'0'.repeat(16)}-`)),
          traceparent,
        ),
        fc.option(traceparent, { nil: undefined }),
        (causeHeader, activeHeader) => {
          const active = { traceparent: activeHeader };
          const chosen = traceOf({ trace: { traceparent: causeHeader, tracestate: 'v=1' } }, active);
          if (!valid.test(causeHeader)) expect(chosen).toBe(active);
          else expect([active.traceparent, causeHeader]).toContain(chosen.traceparent);
        },
      ),
    );
  });

  it("writes each event of a bulk publish in its own cause's trace", async () => {
    const { manager, queries } = fakeManager();
    const traces = ['0af7651916cd43dd8448eb211c80319c', '4bf92f3577b34da6a3ce929d0e0e4736'];
    const bulk = items(3).map((item, i) => ({
      ...item,
      meta: {
        ...item.meta,
        ...(i < 2 ? { trace: { traceparent: `00-${traces[i]}-00f067aa0ba902b7-01` } } : {}),
      },
    }));
    await publisher.publishMany(manager, bulk, { subjectsLockedByCaller: true });
    const rows = JSON.parse(queries.find((q) => q.sql.includes('INSERT INTO outbox'))!.params[0] as string);
    const headers = rows.map((row: unknown[]) => row[4] as Record<string, string>);
    expect(headers.map((h: Record<string, string>) => traceIdOf(h.traceparent))).toEqual([
      traces[0],
      traces[1],
      undefined,
    ]);
  });

  it("writes a single event in its cause's trace", async () => {
    const { manager, queries } = fakeManager();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const [item] = items(1);
    await publisher.publish(manager, item.definition, item.payload, { ...item.meta, trace: { traceparent } });
    const headers = JSON.parse(queries[0].params[4] as string) as Record<string, string>;
    expect(traceIdOf(headers.traceparent)).toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
