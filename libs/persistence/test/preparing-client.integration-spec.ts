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
});
