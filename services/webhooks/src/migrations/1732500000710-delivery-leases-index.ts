import { concurrentIndexMigration } from '@crm/persistence';

/**
 * The dispatcher asks, after every round, when the next delivery is due: its retry time, or its lease running
 * out. That was one aggregate over every pending delivery, read row by row, so while a subscriber was down each
 * round read its whole backlog. The question is now answered from two indexes: the earliest unleased delivery
 * from the due index, and the few deliveries under a lease from this one.
 */
export const DeliveryLeasesIndex1732500000710 = concurrentIndexMigration(
  'DeliveryLeasesIndex1732500000710',
  'deliveries_leased_idx',
  "ON deliveries (lease_expires_at) WHERE status = 'pending' AND lease_expires_at IS NOT NULL",
);
