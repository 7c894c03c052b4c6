import fc from 'fast-check';
import { Client } from 'pg';
import { PREPARE_AFTER_USES, PreparingClient } from '../src';

/** Prepared statements answer what plain ones do (real Postgres), and are prepared from the third use. */
describe('PreparingClient against Postgres', () => {
  let preparing: PreparingClient;
  let plain: Client;
  beforeAll(async () => {
    preparing = new PreparingClient({ connectionString: process.env.DATABASE_URL });
    plain = new Client({ connectionString: process.env.DATABASE_URL });
    await Promise.all([preparing.connect(), plain.connect()]);
  });
  afterAll(() => Promise.all([preparing.end(), plain.end()]));

  const prepared = async () =>
    (await preparing.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows.map(
      (r) => r.statement,
    );

  it('prepares a statement with parameters from its third use, and never one without', async () => {
    const text = 'SELECT $1::int * 2 AS doubled';
    for (let use = 1; use <= PREPARE_AFTER_USES + 1; use += 1) {
      expect((await preparing.query(text, [use])).rows).toEqual([{ doubled: use * 2 }]);
      expect((await prepared()).includes(text)).toBe(use >= PREPARE_AFTER_USES);
    }
    for (let use = 0; use < PREPARE_AFTER_USES + 1; use += 1) await preparing.query('SELECT 42 AS answer');
    expect((await prepared()).some((s) => s.includes('42'))).toBe(false);
  });

  it('answers any parameters as an unprepared statement does, errors included', async () => {
    const text = `SELECT $1::text AS t, $2::int AS i, length($1::text) AS n, $3::jsonb AS j, 10 / $2::int AS q`;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.integer({ min: -3, max: 3 }),
        fc.jsonValue({ maxDepth: 2 }),
        async (t, i, j) => {
          const parameters = [t, i, JSON.stringify(j)];
          const [a, b] = await Promise.all(
            [preparing, plain].map((c) =>
              c.query(text, parameters).then(
                (r) => ({ rows: r.rows as unknown }),
                (e: { code?: string }) => ({ error: e.code }),
              ),
            ),
          );
          expect(a).toEqual(b);
        },
      ),
      { numRuns: 100 },
    );
    expect(await prepared()).toContain(text);
  });

  it('keeps working when a table gains a column, and when a prepared result changes shape', async () => {
    const table = `prep_${Date.now()}`;
    await plain.query(`CREATE TABLE ${table} (id int PRIMARY KEY, a int)`);
    await plain.query(`INSERT INTO ${table} VALUES (1, 10)`);
    const all = `SELECT * FROM ${table} WHERE id = $1`;
    for (let use = 0; use < PREPARE_AFTER_USES + 1; use += 1) await preparing.query(all, [1]);
    await plain.query(`ALTER TABLE ${table} ADD COLUMN b text DEFAULT 'new'`);
    expect((await preparing.query(all, [1])).rows).toEqual([{ id: 1, a: 10, b: 'new' }]);

    // A view redefined under a prepared statement: it fails once, then is prepared afresh.
    const view = `${table}_v`;
    await plain.query(`CREATE VIEW ${view} AS SELECT 1::int AS a`);
    const read = `SELECT a FROM ${view} WHERE $1::int > 0`;
    for (let use = 0; use < PREPARE_AFTER_USES + 1; use += 1)
      expect((await preparing.query(read, [1])).rows).toEqual([{ a: 1 }]);
    await plain.query(`DROP VIEW ${view}`);
    await plain.query(`CREATE VIEW ${view} AS SELECT 'x'::text AS a`);
    await expect(preparing.query(read, [1])).rejects.toMatchObject({ code: '0A000' });
    for (let use = 0; use < PREPARE_AFTER_USES + 1; use += 1)
      expect((await preparing.query(read, [1])).rows).toEqual([{ a: 'x' }]);
    await plain.query(`DROP VIEW ${view}`);
    await plain.query(`DROP TABLE ${table}`);
  });
});
