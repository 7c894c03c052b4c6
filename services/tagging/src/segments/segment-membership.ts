import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SegmentChanged } from '@crm/contracts';
import { causedBy, OutboxPublisher, type Cause, type OutboxItem } from '@crm/messaging';
import { execute, queryRows } from '@crm/persistence';
import { SegmentCompiler } from './segment-compiler';
import { SEGMENT_FROM, SegmentsRepository, type SegmentRow } from './segments.repository';

export interface SegmentDiff {
  entered: number;
  exited: number;
}

/**
 * Segment membership, set-based: kept in `segment_members`; every entry and exit is a `segment changed`
 * event (segment set `custom`) carrying the event or run that caused it, and a row in `segment_changes`.
 */
@Injectable()
export class SegmentMembership {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly compiler: SegmentCompiler,
    private readonly outbox: OutboxPublisher,
  ) {}

  /** Customers of the list (`$idsParam`) that match a segment at the as-of date ($1); $2 is the segment id. */
  private matchingSql(segment: SegmentRow, idsParam: number): string {
    return segment.kind === 'dynamic'
      ? `SELECT c.customer_id ${SEGMENT_FROM} WHERE c.registered AND c.customer_id = ANY($${idsParam}::uuid[]) AND ${this.compiler.compile(segment.expression ?? '').sql}`
      : `SELECT l.customer_id FROM static_segment_lists l WHERE $1::timestamptz IS NOT NULL AND l.segment_id = $2 AND l.customer_id = ANY($${idsParam}::uuid[])`;
  }

  /** Customers among `customerIds` whose membership of some segment would change (read-only). */
  async candidates(
    manager: EntityManager,
    customerIds: string[],
    asOf: Date,
    segments: SegmentRow[],
  ): Promise<string[]> {
    const found = new Set<string>();
    for (const segment of segments) {
      const rows = await queryRows<{ customer_id: string }>(
        manager,
        `WITH matching AS (${this.matchingSql(segment, 3)})
         SELECT m.customer_id FROM matching m
          WHERE NOT EXISTS (SELECT 1 FROM segment_members x WHERE x.segment_id = $2 AND x.customer_id = m.customer_id)
         UNION
         SELECT x.customer_id FROM segment_members x WHERE x.segment_id = $2 AND x.customer_id = ANY($3::uuid[])
            AND x.customer_id NOT IN (SELECT customer_id FROM matching)`,
        [asOf, segment.id, customerIds],
      );
      for (const row of rows) found.add(row.customer_id);
    }
    return [...found];
  }

  /**
   * Brings membership of the given customers (whose rows the caller has locked) up to date for every
   * segment, set-based; emits an event per entry and exit with the cause.
   */
  async evaluateCustomers(
    manager: EntityManager,
    customerIds: string[],
    asOf: Date,
    cause: Cause,
    segments?: SegmentRow[],
  ): Promise<SegmentDiff> {
    const diff: SegmentDiff = { entered: 0, exited: 0 };
    const events: OutboxItem[] = [];
    const now = new Date();
    for (const segment of segments ?? (await this.segments.all(manager))) {
      const changes = await queryRows<{ change: 'entered' | 'exited'; customer_id: string }>(
        manager,
        `WITH matching AS (${this.matchingSql(segment, 6)}),
         entered AS (
           INSERT INTO segment_members (segment_id, customer_id, entered_at, caused_by_event_id, sweep_run_id)
           SELECT $2, m.customer_id, $3, $4, $5 FROM matching m
            WHERE NOT EXISTS (SELECT 1 FROM segment_members x WHERE x.segment_id = $2 AND x.customer_id = m.customer_id)
           RETURNING customer_id),
         exited AS (
           DELETE FROM segment_members x WHERE x.segment_id = $2 AND x.customer_id = ANY($6::uuid[])
              AND x.customer_id NOT IN (SELECT customer_id FROM matching)
           RETURNING customer_id)
         SELECT 'entered' AS change, customer_id FROM entered UNION ALL SELECT 'exited', customer_id FROM exited
         ORDER BY customer_id, change DESC`,
        [asOf, segment.id, now, cause.eventId ?? null, cause.runId ?? null, customerIds],
      );
      if (changes.length === 0) continue;
      await execute(
        manager,
        `INSERT INTO segment_changes (segment_id, customer_id, change, caused_by_event_id, sweep_run_id, changed_at)
         SELECT $1, id, ch, $4, $5, $6 FROM unnest($2::uuid[], $3::text[]) AS rows(id, ch)`,
        [
          segment.id,
          changes.map((c) => c.customer_id),
          changes.map((c) => c.change),
          cause.eventId ?? null,
          cause.runId ?? null,
          now,
        ],
      );
      for (const { change, customer_id } of changes) {
        diff[change] += 1;
        events.push({
          definition: SegmentChanged,
          payload: {
            customerId: customer_id,
            segmentSet: 'custom',
            segment: segment.id,
            change,
            causedByEventId: cause.eventId,
            sweepRunId: cause.runId,
            changedAt: now.toISOString(),
          },
          meta: causedBy(customer_id, cause),
        });
      }
    }
    await this.outbox.publishMany(manager, events, { subjectsLockedByCaller: true });
    return diff;
  }
}
