import fc from 'fast-check';
import { Client } from 'pg';
import { dueIn, dueInMs, dueInSql } from '../src';

/** A notification sent from within a statement says the same "due in" as one a service computes itself. */
describe('due notices computed in SQL (real Postgres)', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
  });
  afterAll(() => client.end());

  it('agree with dueIn to the millisecond, for due times before, at and after now', async () => {
    const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2200, 0, 1) });
    await fc.assert(
      fc.asyncProperty(instant, fc.integer({ min: -5e10, max: 5e11 }), async (now, ahead) => {
        const due = now + ahead;
        const { rows } = await client.query<{ payload: string }>(
          `SELECT current_schema() || ${dueInSql('$1::timestamptz', '$2::timestamptz')} AS payload`,
          [new Date(due), new Date(now)],
        );
        expect(rows[0].payload.endsWith(dueIn(due - now))).toBe(true);
        expect(dueInMs(rows[0].payload)).toBe(Math.max(0, ahead));
      }),
      { numRuns: 200 },
    );
  });
});
