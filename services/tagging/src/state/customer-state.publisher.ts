import { createHash, randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CustomerState, type ConsentFlagV1, type CustomerStateV1 } from '@crm/contracts';
import { OutboxPublisher, PG_NOTIFICATIONS, type OutboxItem } from '@crm/messaging';
import { counter } from '@crm/observability';
import { queryRows, type PgNotifications } from '@crm/persistence';
import { DueLoop } from '@crm/service-kit';

/** Announced by the `mark_state_dirty` trigger when a customer's state may have changed. */
export const CUSTOMER_STATE_CHANNEL = 'crm_customer_state';
const BATCH = 500;
/** The digest kept for an erased customer: its tombstone was published. */
const ERASED = 'erased';

const snapshots = () =>
  counter('crm_customer_state_records_total', 'Records written to the compacted customer state topic', [
    'kind',
  ]);

interface StateRow {
  customer_id: string;
  known: boolean;
  erased: boolean | null;
  consents: ConsentFlagV1[] | null;
  value_tier: CustomerStateV1['valueTier'] | null;
  value_loyalty_segment: CustomerStateV1['valueLoyaltySegment'] | null;
  membership_level: CustomerStateV1['membershipLevel'] | null;
  lifecycle_stage: CustomerStateV1['lifecycleStage'] | null;
  tags: string[] | null;
  segments: string[];
  revision: number | null;
  digest: string | null;
}

/**
 * Keeps `crm.customer-state.v1` (compacted, keyed by customer id) equal to each customer's latest
 * non-personal state. Triggers mark a customer dirty in the same transaction as any change to what a
 * snapshot is made of (a mark per change); this worker takes marks in batches (SKIP LOCKED, so replicas share them),
 * builds their snapshots in one query and writes those that differ from the last published one to the
 * outbox, in the transaction that clears the marks: a change is published exactly once, bursts coalesce, and
 * an erased customer gets a tombstone. It wakes on the trigger's NOTIFY and otherwise looks every 30 s.
 */
@Injectable()
export class CustomerStatePublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CustomerStatePublisher.name);
  private readonly loop = new DueLoop(this.logger, 'customer state round failed', 30_000);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.startOnChannel(this.notifications, CUSTOMER_STATE_CHANNEL, async () =>
      (await this.publishOnce()) === BATCH ? 0 : undefined,
    );
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * One batch; answers how many marks it took. A mark made by a change not yet committed is invisible here,
   * so it waits for a later round, which reads the committed change. Workers (replicas) take a customer one
   * at a time, in one order: a later round for the same customer reads after the earlier one committed, and
   * the topic never ends on an older state.
   */
  async publishOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const marks = await queryRows<{ customer_id: string }>(
        manager,
        `DELETE FROM state_dirty_marks WHERE id IN (
           SELECT id FROM state_dirty_marks ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING customer_id`,
        [BATCH],
      );
      if (marks.length === 0) return 0;
      const customerIds = [...new Set(marks.map((m) => m.customer_id))].sort();
      await manager.query(
        `SELECT pg_advisory_xact_lock(hashtext('customer-state:' || c))
           FROM (SELECT c FROM unnest($1::text[]) AS c ORDER BY c) AS sorted`,
        [customerIds],
      );
      await this.publish(manager, customerIds);
      return marks.length;
    });
  }

  private async publish(manager: EntityManager, customerIds: string[]): Promise<void> {
    const rows = await queryRows<StateRow>(
      manager,
      `SELECT d.customer_id, c.customer_id IS NOT NULL AS known, c.erased, c.consents,
              s.value_tier, s.value_loyalty_segment, s.membership_level, s.lifecycle_stage, s.tags,
              coalesce((SELECT array_agg(m.segment_id ORDER BY m.segment_id) FROM segment_members m
                         WHERE m.customer_id = d.customer_id), '{}') AS segments,
              p.revision, p.digest
         FROM unnest($1::uuid[]) AS d(customer_id)
         LEFT JOIN customers c ON c.customer_id = d.customer_id
         LEFT JOIN customer_scores s ON s.customer_id = d.customer_id
         LEFT JOIN state_published p ON p.customer_id = d.customer_id
        ORDER BY d.customer_id`,
      [customerIds],
    );
    const now = new Date();
    const correlationId = randomUUID();
    const items: OutboxItem[] = [];
    const tombstones: Array<{ subject: string; meta: { correlationId: string; time: Date } }> = [];
    const published: Array<{ id: string; revision: number; digest: string }> = [];
    for (const row of rows) {
      if (!row.known) continue;
      const revision = (row.revision ?? 0) + 1;
      if (row.erased) {
        if (row.digest === ERASED) continue;
        tombstones.push({ subject: row.customer_id, meta: { correlationId, time: now } });
        published.push({ id: row.customer_id, revision, digest: ERASED });
        continue;
      }
      const state = stateOf(row);
      const digest = createHash('sha256').update(JSON.stringify(state)).digest('base64url');
      if (digest === row.digest) continue;
      items.push({
        definition: CustomerState,
        payload: { customerId: row.customer_id, revision, ...state, updatedAt: now.toISOString() },
        meta: { subject: row.customer_id, correlationId, time: now },
      });
      published.push({ id: row.customer_id, revision, digest });
    }
    if (published.length === 0) return;
    // The customers' locks, taken above, serialise writers of each customer's state events.
    await this.outbox.publishMany(manager, items, { subjectsLockedByCaller: true, validation: 'sample' });
    await this.outbox.publishTombstones(manager, CustomerState, tombstones, { subjectsLockedByCaller: true });
    await manager.query(
      `INSERT INTO state_published (customer_id, revision, digest, published_at)
       SELECT i, r, d, $4 FROM unnest($1::uuid[], $2::int[], $3::text[]) AS t(i, r, d)
       ON CONFLICT (customer_id) DO UPDATE
         SET revision = EXCLUDED.revision, digest = EXCLUDED.digest, published_at = EXCLUDED.published_at`,
      [published.map((p) => p.id), published.map((p) => p.revision), published.map((p) => p.digest), now],
    );
    snapshots().inc({ kind: 'snapshot' }, items.length);
    snapshots().inc({ kind: 'tombstone' }, tombstones.length);
  }
}

/** The snapshot's content (what the digest is of): everything but the customer id, revision and time. */
function stateOf(row: StateRow): Omit<CustomerStateV1, 'customerId' | 'revision' | 'updatedAt'> {
  const consents = (row.consents ?? [])
    .map(({ channel, purpose, granted }) => ({ channel, purpose, granted }))
    .sort((a, b) => `${a.channel}/${a.purpose}`.localeCompare(`${b.channel}/${b.purpose}`));
  return {
    ...(row.value_tier ? { valueTier: row.value_tier } : {}),
    ...(row.value_loyalty_segment ? { valueLoyaltySegment: row.value_loyalty_segment } : {}),
    ...(row.membership_level ? { membershipLevel: row.membership_level } : {}),
    ...(row.lifecycle_stage ? { lifecycleStage: row.lifecycle_stage } : {}),
    tags: [...(row.tags ?? [])].sort(),
    customSegments: row.segments,
    consents,
  };
}
