import { execute, insertMany, queryOne, queryRows, type Queryable } from './sql';

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

  it('inserts many rows with one array parameter per column, JSON for jsonb and text[] columns', async () => {
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
    }));
    await insertMany(db, 'things', { id: 'uuid', tags: 'text[]', doc: 'jsonb', at: 'timestamptz' }, rows);
    expect(calls).toHaveLength(1);
    const [{ sql, parameters }] = calls;
    expect(sql).toContain('INSERT INTO things (id, tags, doc, at)');
    expect(sql).toContain('unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[])');
    expect(parameters).toHaveLength(4);
    expect((parameters as unknown[][]).map((p) => p.length)).toEqual([3000, 3000, 3000, 3000]);
    expect((parameters as unknown[][])[1].slice(0, 2)).toEqual([null, '["a","b"]']);
    expect((parameters as unknown[][])[2][7]).toBe('{"n":7}');
    expect((parameters as unknown[][])[3][0]).toBe(at);
    expect(sql).not.toContain('ON CONFLICT');
    await insertMany(db, 'things', { id: 'uuid' }, [{ id: 'x' }], { onConflict: 'do nothing' });
    expect(calls[1].sql.trimEnd()).toMatch(/\) ON CONFLICT DO NOTHING$/);
  });
});
