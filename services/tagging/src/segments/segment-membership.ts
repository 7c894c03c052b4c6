import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { SegmentChanged, SegmentSuspended } from '@crm/contracts';
import {
  causedBy,
  causeFor,
  OutboxPublisher,
  type Cause,
  type Causes,
  type OutboxItem,
} from '@crm/messaging';
import { counter } from '@crm/observability';
import { execute, queryRows } from '@crm/persistence';
import { TaggingConfig } from '../tagging.config';
import { SegmentCompiler } from './segment-compiler';
import { SEGMENT_FROM, SegmentsRepository, type SegmentRow } from './segments.repository';

const suspensions = () =>
  counter('crm_segments_suspended_total', 'Segments suspended because their evaluation failed or timed out');

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
  private readonly logger = new Logger(SegmentMembership.name);

  constructor(
    private readonly segments: SegmentsRepository,
    private readonly compiler: SegmentCompiler,
    private readonly outbox: OutboxPublisher,
    private readonly config: TaggingConfig,
  ) {}

  /**
   * Runs `work` for each segment under the segment statement timeout (set once for the whole call), each
   * behind a savepoint. If a segment's statements fail (a timeout, or a condition Postgres cannot run), its
   * savepoint is rolled back, the segment is suspended with the reason and skipped: one segment never fails
   * the event or the sweep batch it runs in.
   */
  private async eachGuarded<T>(
    db: EntityManager,
    segments: SegmentRow[],
    work: (segment: SegmentRow) => Promise<T>,
    cause?: Cause,
  ): Promise<{ segment: SegmentRow; result: T }[]> {
    if (segments.length === 0) return [];
    const results: { segment: SegmentRow; result: T }[] = [];
    await execute(db, `SET LOCAL statement_timeout = ${Math.floor(this.config.TAGGING_SEGMENT_TIMEOUT_MS)}`);
    try {
      for (const segment of segments) {
        await execute(db, 'SAVEPOINT segment_evaluation');
        try {
          results.push({ segment, result: await work(segment) });
          await execute(db, 'RELEASE SAVEPOINT segment_evaluation');
        } catch (error) {
          await execute(db, 'ROLLBACK TO SAVEPOINT segment_evaluation');
          const reason = (error as Error).message;
          await this.segments.suspend(db, segment.id, reason);
          await this.outbox.publish(
            db,
            SegmentSuspended,
            {
              segmentId: segment.id,
              version: segment.version,
              reason: reason.slice(0, 2000),
              suspendedAt: new Date().toISOString(),
            },
            cause ? causedBy(segment.id, cause) : { subject: segment.id, correlationId: randomUUID() },
          );
          suspensions().inc();
          this.logger.error({
            msg: 'segment suspended',
            segment: segment.id,
            version: segment.version,
            reason,
          });
        }
      }
    } finally {
      await execute(db, 'RESET statement_timeout');
    }
    return results;
  }

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
    const evaluated = await this.eachGuarded(manager, segments, (segment) =>
      queryRows<{ customer_id: string }>(
        manager,
        `WITH matching AS (${this.matchingSql(segment, 3)})
         SELECT m.customer_id FROM matching m
          WHERE NOT EXISTS (SELECT 1 FROM segment_members x WHERE x.segment_id = $2 AND x.customer_id = m.customer_id)
         UNION
         SELECT x.customer_id FROM segment_members x WHERE x.segment_id = $2 AND x.customer_id = ANY($3::uuid[])
            AND x.customer_id NOT IN (SELECT customer_id FROM matching)`,
        [asOf, segment.id, customerIds],
      ),
    );
    for (const { result } of evaluated) for (const row of result) found.add(row.customer_id);
    return [...found];
  }

  /**
   * Brings membership of the given customers (whose rows the caller has locked) up to date for every
   * segment, set-based; emits an event per entry and exit with its customer's cause.
   */
  async evaluateCustomers(
    manager: EntityManager,
    customerIds: string[],
    asOf: Date,
    causes: Causes,
    segments?: SegmentRow[],
  ): Promise<SegmentDiff> {
    if (customerIds.length === 0) return { entered: 0, exited: 0 };
    const diff: SegmentDiff = { entered: 0, exited: 0 };
    const events: OutboxItem[] = [];
    const now = new Date();
    // Each customer's cause, once for all segments.
    const eventIds = customerIds.map((id) => causeFor(causes, id).eventId ?? null);
    const runIds = customerIds.map((id) => causeFor(causes, id).runId ?? null);
    const evaluated = await this.eachGuarded(
      manager,
      segments ?? (await this.segments.active(manager)),
      (segment) =>
        queryRows<{ change: 'entered' | 'exited'; customer_id: string }>(
          manager,
          `WITH matching AS (${this.matchingSql(segment, 6)}),
         entered AS (
           INSERT INTO segment_members (segment_id, customer_id, entered_at, caused_by_event_id, sweep_run_id)
           SELECT $2, m.customer_id, $3, c.event_id, c.run_id
             FROM matching m JOIN unnest($6::uuid[], $4::text[], $5::text[]) AS c(customer_id, event_id, run_id)
                  ON c.customer_id = m.customer_id
            WHERE NOT EXISTS (SELECT 1 FROM segment_members x WHERE x.segment_id = $2 AND x.customer_id = m.customer_id)
           RETURNING customer_id),
         exited AS (
           DELETE FROM segment_members x WHERE x.segment_id = $2 AND x.customer_id = ANY($6::uuid[])
              AND x.customer_id NOT IN (SELECT customer_id FROM matching)
           RETURNING customer_id)
         SELECT 'entered' AS change, customer_id FROM entered UNION ALL SELECT 'exited', customer_id FROM exited
         ORDER BY customer_id, change DESC`,
          [asOf, segment.id, now, eventIds, runIds, customerIds],
        ),
      causeFor(causes, customerIds[0]),
    );
    for (const { segment, result: changes } of evaluated) {
      if (changes.length === 0) continue;
      diff.entered += changes.filter((c) => c.change === 'entered').length;
      diff.exited += changes.filter((c) => c.change === 'exited').length;
      events.push(...(await this.record(manager, segment.id, changes, causes, now)));
    }
    await this.outbox.publishMany(manager, events, { subjectsLockedByCaller: true });
    return diff;
  }

  /** A deleted segment: its members (rows locked by the caller) exit, recorded and published like any exit. */
  async recordDeletion(
    manager: EntityManager,
    segmentId: string,
    members: string[],
    cause: Cause,
  ): Promise<void> {
    const changes = members.map((customer_id) => ({ change: 'exited' as const, customer_id }));
    const events = await this.record(manager, segmentId, changes, cause, new Date());
    await this.outbox.publishMany(manager, events, { subjectsLockedByCaller: true });
  }

  /** Writes the changes to `segment_changes` and answers their `segment changed` events. */
  private async record(
    manager: EntityManager,
    segmentId: string,
    changes: { change: 'entered' | 'exited'; customer_id: string }[],
    causes: Causes,
    now: Date,
  ): Promise<OutboxItem[]> {
    if (changes.length === 0) return [];
    const caused = changes.map((c) => causeFor(causes, c.customer_id));
    await execute(
      manager,
      `INSERT INTO segment_changes (segment_id, customer_id, change, caused_by_event_id, sweep_run_id, changed_at)
       SELECT $1, id, ch, ce, sr, $6 FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS rows(id, ch, ce, sr)`,
      [
        segmentId,
        changes.map((c) => c.customer_id),
        changes.map((c) => c.change),
        caused.map((c) => c.eventId ?? null),
        caused.map((c) => c.runId ?? null),
        now,
      ],
    );
    return changes.map(({ change, customer_id }, i) => ({
      definition: SegmentChanged,
      payload: {
        customerId: customer_id,
        segmentSet: 'custom',
        segment: segmentId,
        change,
        causedByEventId: caused[i].eventId,
        sweepRunId: caused[i].runId,
        changedAt: now.toISOString(),
      },
      meta: causedBy(customer_id, caused[i]),
    }));
  }
}
