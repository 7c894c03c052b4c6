import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { testSchema, type TestSchema } from '@crm/testing';
import { FeedbackTables1732500000400 } from '../src/migrations/1732500000400-feedback-tables';
import { SlaCalendarsClockEscalation1732500000410 } from '../src/migrations/1732500000410-sla-calendars-clock-escalation';
import { storeClassifications } from '../src/surveys/customer-classifications';
import { TicketsRepository } from '../src/tickets/tickets.repository';

/**
 * feedback-sla takes a run of re-scorings together: each customer's classification stored once (its last),
 * and the open tickets looked up for the run at once (real Postgres, the service's migrations).
 */
let tables: TestSchema;
let dataSource: DataSource;

beforeAll(async () => {
  tables = await testSchema('feedback_classifications', [
    FeedbackTables1732500000400,
    SlaCalendarsClockEscalation1732500000410,
  ]);
  dataSource = tables.dataSource;
});

afterAll(() => tables.drop());

const ids = Array.from({ length: 4 }, () => randomUUID());
const classification = fc.record({
  who: fc.integer({ min: 0, max: 3 }),
  upper: fc.boolean(),
  tier: fc.constantFrom('A', 'B', 'C', 'D'),
  segment: fc.constantFrom('champions', 'loyal', 'at-risk'),
});
const run = (generated: { who: number; upper: boolean; tier: string; segment: string }[]) =>
  generated.map(({ who, upper, tier, segment }) => ({
    customerId: upper ? ids[who].toUpperCase() : ids[who],
    tier,
    segment,
  }));

async function classifications(): Promise<unknown[]> {
  return dataSource.query(
    'SELECT customer_id, value_tier, value_loyalty_segment FROM customers ORDER BY customer_id',
  ) as Promise<unknown[]>;
}

describe('classifications of a run of re-scorings', () => {
  it('are stored as one by one: each customer its last', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(classification, { maxLength: 15 }),
        fc.array(classification, { maxLength: 4 }),
        async (before, generated) => {
          // Some customers are known from an earlier run, the others are new.
          const known = run(before);
          await dataSource.query('TRUNCATE customers');
          await dataSource.transaction((m) => storeClassifications(m, known));
          for (const one of run(generated))
            await dataSource.transaction((m) => storeClassifications(m, [one]));
          const oneByOne = await classifications();
          await dataSource.query('TRUNCATE customers');
          await dataSource.transaction((m) => storeClassifications(m, known));
          await dataSource.transaction((m) => storeClassifications(m, run(generated)));
          expect(await classifications()).toEqual(oneByOne);
          const lastOf = new Map([...before, ...generated].map((g) => [ids[g.who], [g.tier, g.segment]]));
          expect(
            (oneByOne as { customer_id: string; value_tier: string; value_loyalty_segment: string }[]).map(
              (r) => [r.customer_id, [r.value_tier, r.value_loyalty_segment]],
            ),
          ).toEqual([...lastOf].sort(([a], [b]) => (a < b ? -1 : 1)));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('find the customers with a ticket not yet resolved, whatever the spelling of their ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            who: fc.integer({ min: 0, max: 3 }),
            status: fc.constantFrom('open', 'responded', 'resolved'),
          }),
          {
            maxLength: 8,
          },
        ),
        fc.array(fc.record({ who: fc.integer({ min: 0, max: 3 }), upper: fc.boolean() }), { maxLength: 6 }),
        async (tickets, asked) => {
          await dataSource.query('TRUNCATE tickets CASCADE');
          for (const t of tickets)
            await dataSource.query(
              `INSERT INTO tickets (id, customer_id, ticket_type, priority, status, correlation_id, policy_id, opened_at,
                                    first_response_due_at, resolution_due_at)
               VALUES ($1, $2, 'complaint', 'normal', $3, 'c', 'default', now(), now(), now())`,
              [randomUUID(), ids[t.who], t.status],
            );
          const askedIds = asked.map(({ who, upper }) => (upper ? ids[who].toUpperCase() : ids[who]));
          const found = await new TicketsRepository(dataSource).customersWithOpen(
            dataSource.manager,
            askedIds,
          );
          const expected = new Set(
            tickets
              .filter((t) => t.status !== 'resolved')
              .map((t) => ids[t.who])
              .filter((id) => asked.some((a) => ids[a.who] === id)),
          );
          expect(new Set(found)).toEqual(expected);
          expect(found).toHaveLength(expected.size);
        },
      ),
      { numRuns: 30 },
    );
  });
});
