import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { insertMany, type BulkColumnType } from '../src';

/** A string as UTF-8 holds it (a lone surrogate becomes U+FFFD), as node-pg sends a text parameter. */
const asUtf8 = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
/** Any character, and halves of surrogate pairs on their own or in pairs (fast-check's units make none). */
const anyCodeUnit = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00', '\\', 'u'),
);
/**
 * `insertMany` against real Postgres: any rows of every column type it carries are stored as they were
 * given (a lone surrogate as U+FFFD, as node-pg stores a text parameter), in the order given, and
 * `onConflict: 'do nothing'` skips rows already there.
 */
describe('insertMany against Postgres', () => {
  const schema = `insert_many_${randomUUID().slice(0, 8)}`;
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  const columns: Record<string, BulkColumnType> = {
    id: 'uuid',
    name: 'text',
    count: 'int',
    big: 'bigint',
    amount: 'numeric',
    flag: 'boolean',
    at: 'timestamptz',
    doc: 'jsonb',
    tags: 'text[]',
  };
  beforeAll(async () => {
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    await client.query(`CREATE TABLE things (
      seq bigserial, id uuid PRIMARY KEY, name text, count int, big bigint, amount numeric, flag boolean,
      at timestamptz, doc jsonb, tags text[])`);
  });
  afterAll(async () => {
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  });

  /** Text as Postgres can hold it: no NUL (refused either way). */
  const text = fc.string({ unit: anyCodeUnit, maxLength: 20 }).map((s) => s.replaceAll('\0', ''));
  const row = fc.record({
    id: fc.uuid(),
    name: fc.option(text),
    count: fc.option(fc.integer()),
    big: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
    amount: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
    flag: fc.option(fc.boolean()),
    at: fc.option(
      fc.date({
        min: new Date('1000-01-01T00:00:00Z'),
        max: new Date('9999-12-31T00:00:00Z'),
        noInvalidDate: true,
      }),
    ),
    doc: fc.option(
      fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== null && !JSON.stringify(v).includes('\\u0000')),
    ),
    tags: fc.option(fc.array(fc.option(text), { maxLength: 4 })),
  });

  it('stores any rows of every type as given, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(row, { selector: (r) => r.id, maxLength: 40 }), async (rows) => {
        await client.query('TRUNCATE things');
        await insertMany(client, 'things', columns, rows);
        const stored = (
          await client.query<Record<string, unknown>>(
            `SELECT id, name, count, big::text AS big, amount::float8 AS amount, flag, at, doc, tags FROM things ORDER BY seq`,
          )
        ).rows;
        expect(stored).toEqual(
          rows.map((r) => ({
            id: r.id,
            name: r.name === null ? null : asUtf8(r.name),
            count: r.count,
            big: r.big === null ? null : r.big.toString(),
            // -0 is stored as numeric 0.
            amount: r.amount === null ? null : r.amount === 0 ? 0 : r.amount,
            flag: r.flag,
            at: r.at,
            doc: r.doc === null ? null : JSON.parse(JSON.stringify(r.doc)),
            tags: r.tags === null ? null : r.tags.map((t) => (t === null ? null : asUtf8(t))),
          })),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('skips rows already there with onConflict, and stores a missing column as NULL', async () => {
    await client.query('TRUNCATE things');
    const [a, b] = [randomUUID(), randomUUID()];
    await insertMany(client, 'things', { id: 'uuid', name: 'text' }, [{ id: a, name: 'first' }]);
    await insertMany(client, 'things', { id: 'uuid', name: 'text' }, [{ id: a, name: 'again' }, { id: b }], {
      onConflict: 'do nothing',
    });
    const { rows } = await client.query('SELECT id, name FROM things ORDER BY seq');
    expect(rows).toEqual([
      { id: a, name: 'first' },
      { id: b, name: null },
    ]);
    await expect(insertMany(client, 'things', { id: 'uuid' }, [{ id: a }])).rejects.toThrow(/duplicate key/);
  });
});
