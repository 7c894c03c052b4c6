import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '@crm/contracts';
import { EventBatchContext } from '@crm/messaging';
import type { TestSchema } from './test-schema';

/**
 * Customers for tests that compare a run of events taken at once with the same events one by one: one id
 * spelt in capitals (the events' spelling is kept; the database's is lower case), and the highest uuid.
 */
export const RUN_CUSTOMERS = [
  '0a6f1c52-8f0e-4c43-9b8e-1f6f0b7e2a01',
  '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a02',
  'A0000000-0000-4000-8000-00000000000F',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
] as const;

/** What the transport gives a batch handler beside `events`: one run of partition 0, first attempt. */
export function batchContext(events: readonly EventEnvelope[], manager: EntityManager): EventBatchContext {
  return new EventBatchContext(events, manager, {
    topic: 'test',
    partition: 0,
    offsets: events.map((_, i) => String(i)),
    attempt: 1,
  });
}

/**
 * Takes `runs` both ways: on `oneByOne` each event in its own transaction (as the transport does when it
 * retries a run record by record), on `inRuns` each run in one transaction (as it hands a batch handler a
 * partition's records), `take` handing a side's handler the events; the caller then compares the sides.
 */
export async function takeBothWays<S extends { tables: TestSchema }, E>(
  runs: readonly E[][],
  oneByOne: S,
  inRuns: S,
  take: (side: S, events: E[], manager: EntityManager) => Promise<unknown>,
): Promise<void> {
  for (const run of runs) {
    for (const event of run)
      await oneByOne.tables.dataSource.transaction((manager) => take(oneByOne, [event], manager));
    await inRuns.tables.dataSource.transaction((manager) => take(inRuns, run, manager));
  }
}
