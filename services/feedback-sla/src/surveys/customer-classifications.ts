import type { EntityManager } from 'typeorm';
import { lastOfEach } from '@crm/messaging';
import { execute } from '@crm/persistence';

/** A customer's value tier and value-loyalty segment, as tagging last announced them. */
export interface Classification {
  customerId: string;
  tier: string;
  segment: string;
}

/**
 * Stores the classifications of a run of re-scorings, in order: each customer takes its last, with one
 * statement, in id order (two runs that share customers wait for each other rather than deadlock).
 */
export async function storeClassifications(db: EntityManager, run: Classification[]): Promise<void> {
  const last = lastOfEach(run, (c) => c.customerId.toLowerCase());
  if (last.length === 0) return;
  await execute(
    db,
    `INSERT INTO customers (customer_id, value_tier, value_loyalty_segment)
     SELECT id, tier, segment FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(id, tier, segment)
      ORDER BY id
     ON CONFLICT (customer_id) DO UPDATE SET value_tier = EXCLUDED.value_tier,
       value_loyalty_segment = EXCLUDED.value_loyalty_segment, updated_at = now()`,
    [last.map((c) => c.customerId), last.map((c) => c.tier), last.map((c) => c.segment)],
  );
}
