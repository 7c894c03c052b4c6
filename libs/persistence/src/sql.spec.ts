import fc from 'fast-check';
import { bulkDocument, execute, insertMany, queryOne, queryRows, type Queryable } from './sql';

/** A string as UTF-8 holds it (a lone surrogate becomes U+FFFD), as node-pg sends a text parameter. */
const asUtf8 = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
/** Any character, and halves of surrogate pairs on their own or in pairs (fast-check's units make none). */
const anyCodeUnit = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00', '\\', 'u'),
);
const answering = (result: unknown): Queryable => ({ query: async () => result });

describe('typed SQL helpers', () => {
  it('answers the rows of a SELECT or INSERT … RETURNING', async () => {
    const rows = await queryRows<{ id: number }>(answering([{ id: 1 }, { id: 2 }]), 'SELECT id FROM t');
    expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('answers the rows of an UPDATE … RETURNING, which TypeORM pairs with the affected count', async () => {
    const rows = await queryRows<{ id: number }>(
      answering([[{ id: 7 }], 1]),
      'UPDATE t SET x = 1 RETURNING id',
    );
    expect(rows).toEqual([{ id: 7 }]);
  });

  it('treats two selected rows as rows, not as an affected pair', async () => {
    const rows = await queryRows(answering([{ a: 1 }, { b: 2 }]), 'SELECT');
    expect(rows).toHaveLength(2);
  });

  it('answers the first row or undefined', async () => {
    expect(await queryOne<{ id: number }>(answering([{ id: 3 }]), 'SELECT')).toEqual({ id: 3 });
    expect(await queryOne(answering([]), 'SELECT')).toBeUndefined();
    expect(await queryOne(answering([[], 0]), 'DELETE')).toBeUndefined();
  });

  it('counts the rows an UPDATE or DELETE touched, and 0 otherwise', async () => {
    expect(await execute(answering([[], 4]), 'DELETE FROM t')).toBe(4);
    expect(await execute(answering([]), 'INSERT INTO t VALUES (1)')).toBe(0);
  });

  it('passes the statement and its parameters through', async () => {
    const seen: unknown[] = [];
    const db: Queryable = {
      query: async (sql, parameters) => {
        seen.push(sql, parameters);
        return [];
      },
    };
    await queryRows(db, 'SELECT $1', ['x']);
    expect(seen).toEqual(['SELECT $1', ['x']]);
  });

  it('inserts many rows as one JSON document in column order, with the SQL to read each type', async () => {
    const calls: Array<{ sql: string; parameters?: unknown[] }> = [];
    const db: Queryable = {
      query: (sql, parameters) => {
        calls.push({ sql, parameters });
        return Promise.resolve([]);
      },
    };
    await insertMany(db, 'things', { id: 'uuid', tags: 'text[]', doc: 'jsonb', at: 'timestamptz' }, []);
    expect(calls).toEqual([]);
    const at = new Date('2026-01-01T00:00:00Z');
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: `id-${i}`,
      tags: i % 2 ? ['a', 'b'] : null,
      doc: { n: i },
      at,
      name: i === 5 ? undefined : `n${i}`,
    }));
    const columns = { id: 'uuid', tags: 'text[]', doc: 'jsonb', at: 'timestamptz', name: 'text' } as const;
    await insertMany(db, 'things', columns, rows);
    expect(calls).toHaveLength(1);
    const [{ sql, parameters }] = calls;
    expect(sql).toContain('INSERT INTO things (id, tags, doc, at, name)');
    expect(sql).toContain('(r->>0)::uuid');
    expect(sql).toContain("nullif(r->2, 'null'::jsonb)");
    expect(sql).toContain('(r->>3)::timestamptz');
    expect(sql).toContain('r->>4');
    expect(sql).toMatch(/jsonb_array_elements\(\$1::jsonb\) WITH ORDINALITY AS rows\(r, n\)\s+ORDER BY n$/);
    expect(parameters).toHaveLength(1);
    const document = JSON.parse(parameters![0] as string) as unknown[][];
    expect(document).toHaveLength(3000);
    expect(document[0]).toEqual(['id-0', null, { n: 0 }, '2026-01-01T00:00:00.000Z', 'n0']);
    expect(document[1]).toEqual(['id-1', ['a', 'b'], { n: 1 }, '2026-01-01T00:00:00.000Z', 'n1']);
    expect(document[5][4]).toBeNull();
    await insertMany(db, 'things', { id: 'uuid' }, [{ id: 'x' }], { onConflict: 'do nothing' });
    expect(calls[1].sql.trimEnd()).toMatch(/ORDER BY n ON CONFLICT DO NOTHING$/);
  });

  it('writes any strings as JSON Postgres takes: a lone surrogate as U+FFFD, everything else as it is', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: anyCodeUnit, maxLength: 12 }), { maxLength: 8 }), (strings) => {
        const text = bulkDocument(strings);
        // No escape of a lone surrogate is left (jsonb refuses them), and no escaped backslash was touched.
        expect(text).not.toMatch(/(?<!\\)(\\\\)*\\u[dD][89a-fA-F]/);
        expect(JSON.parse(text)).toEqual(strings.map((s) => asUtf8(s)));
      }),
      { numRuns: 2000 },
    );
    expect(bulkDocument(['\\ud800', '\ud800x', '\ud83d\ude00'])).toBe(
      '["\\\\ud800","\\ufffdx","\ud83d\ude00"]',
    );
  });

  it('writes any value as the replacer alone would, or refuses it with the same error', () => {
    const replacer = function (this: Record<string, unknown>, key: string, value: unknown) {
      const original = this[key];
      if (original instanceof Date && Number.isNaN(original.getTime()))
        throw new Error(`an invalid date cannot be written (${key === '' ? 'value' : `item ${key}`})`);
      return typeof value === 'bigint' ? value.toString() : value;
    };
    const outcome = (write: () => string) => {
      try {
        return { text: write() };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    const deep = fc.letrec((tie) => ({
      nested: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        tie('leaf'),
        tie('array'),
        tie('object'),
      ),
      leaf: fc.oneof(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withBoxedValues: true,
        }),
        fc.constantFrom(
          new Date(Number.NaN),
          10n ** 30n,
          undefined,
          { toJSON: () => 'mine' },
          { toJSON: () => 10n },
          Object.assign(new Date(0), { toJSON: () => 11n }),
        ),
        fc.date({ noInvalidDate: true }),
      ),
      array: fc.array(tie('nested'), { maxLength: 4 }),
      object: fc.dictionary(fc.string({ maxLength: 4 }), tie('nested'), { maxKeys: 4 }),
    })).nested;
    fc.assert(
      fc.property(deep, (value) => {
        // The replacer's way as it was, surrogates mended as bulkDocument mends them.
        const expected = outcome(() => {
          const text = JSON.stringify(value, replacer);
          return text.includes('\\u') ? bulkDocument(JSON.parse(text)) : text;
        });
        expect(outcome(() => bulkDocument(value))).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = [cycle];
    expect(() => bulkDocument(cycle)).toThrow(/circular/);
    const tower = Array.from({ length: 100 }).reduce<unknown[]>((inner) => [inner], [10n]);
    expect(bulkDocument(tower)).toBe(`${'['.repeat(101)}"10"${']'.repeat(101)}`);
  });

  it('refuses an invalid date instead of writing null, and writes a bigint as its digits', () => {
    expect(() => bulkDocument([[new Date(Number.NaN)]])).toThrow('an invalid date cannot be written');
    expect(bulkDocument([[12345678901234567890n, new Date(0)]])).toBe(
      '[["12345678901234567890","1970-01-01T00:00:00.000Z"]]',
    );
  });
});
