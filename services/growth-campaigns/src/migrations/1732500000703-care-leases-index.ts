import { concurrentIndexMigration } from '@crm/persistence';

/**
 * The care dispatcher asks, after every round, when the next touch is due: its retry time, or its lease
 * running out. That was one aggregate over every triggered touch, read row by row; at night every marketing
 * touch waits for the end of quiet hours as a triggered one, so each round read all of them (16,500 rows,
 * 24 ms, in a 10-minute soak, and growing with the night). The question is now answered from two indexes:
 * the earliest unleased touch from the due index, and the few touches under a lease from this one.
 */
export const CareLeasesIndex1732500000703 = concurrentIndexMigration(
  'CareLeasesIndex1732500000703',
  'care_actions_leased_idx',
  "ON care_actions (lease_expires_at) WHERE status = 'triggered' AND lease_expires_at IS NOT NULL",
);
