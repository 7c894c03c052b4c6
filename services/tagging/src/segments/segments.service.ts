import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SegmentChanged } from '@crm/contracts';
import { OutboxPublisher, type OutboxItem } from '@crm/messaging';
import { invalid, invalidFields, notFound } from '@crm/service-kit';
import type { RescoreCause } from '../customers/rescoring.service';
import type { ScoringRuleSet } from '../scoring/rule-set';
import { SCORING_RULES } from '../scoring/rules.provider';
import { compileSegment, SegmentExpressionError, type CompiledSegment } from './segment-expression';

export interface SegmentRow {
  id: string;
  kind: 'dynamic' | 'static';
  expression: string | null;
  description: string;
  version: number;
}

export interface SegmentDiff {
  entered: number;
  exited: number;
}

const SAMPLE_SIZE = 10;
const PREVIEW_TIMEOUT_MS = 15_000;
const FROM = 'FROM customers c LEFT JOIN customer_scores s ON s.customer_id = c.customer_id';

/**
 * Dynamic segments (a condition over tagging's read model) and static ones (an uploaded list). Membership
 * is kept in `segment_members`; every entry and exit is a `segment changed` event (segment set `custom`)
 * carrying the event id or the sweep run that caused it, and a row in `segment_changes`.
 */
@Injectable()
export class SegmentsService {
  private readonly compiled = new Map<string, CompiledSegment>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    @Inject(SCORING_RULES) private readonly rules: ScoringRuleSet,
  ) {}

  /** Compiles an expression or answers 400 naming the position of the mistake. */
  compile(expression: string): CompiledSegment {
    const cached = this.compiled.get(expression);
    if (cached) return cached;
    try {
      const compiled = compileSegment(expression, this.rules);
      if (this.compiled.size > 500) this.compiled.clear();
      this.compiled.set(expression, compiled);
      return compiled;
    } catch (error) {
      if (!(error instanceof SegmentExpressionError)) throw error;
      throw invalidFields(
        [{ field: 'expression', messages: [error.message] }],
        'SEGMENT_EXPRESSION_INVALID',
        {
          position: error.position,
        },
      );
    }
  }

  /** Count and sample, read-only and bounded in time: an ad-hoc condition must not hog the database. */
  async preview(expression: string, asOf: Date) {
    const compiled = this.compile(expression);
    const { count, sample } = await this.dataSource
      .transaction('REPEATABLE READ', async (manager) => {
        await manager.query('SET TRANSACTION READ ONLY');
        await manager.query(`SET LOCAL statement_timeout = ${PREVIEW_TIMEOUT_MS}`);
        const [{ count }] = await manager.query(
          `SELECT count(*)::int AS count ${FROM} WHERE c.registered AND ${compiled.sql}`,
          [asOf],
        );
        const sample: { customer_id: string }[] = await manager.query(
          `SELECT c.customer_id ${FROM} WHERE c.registered AND ${compiled.sql} ORDER BY c.customer_id LIMIT ${SAMPLE_SIZE}`,
          [asOf],
        );
        return { count: count as number, sample };
      })
      .catch((error: { driverError?: { code?: string } }) => {
        if (error.driverError?.code === '57014')
          throw invalid(
            'expression',
            `took longer than ${PREVIEW_TIMEOUT_MS / 1000} s to preview; narrow it`,
            'SEGMENT_PREVIEW_TOO_SLOW',
          );
        throw error;
      });
    return {
      expression,
      asOf: asOf.toISOString(),
      count,
      sample: sample.map((r) => r.customer_id),
      conditions: compiled.conditions.map((c) => c.text),
    };
  }

  async all(manager: EntityManager = this.dataSource.manager): Promise<SegmentRow[]> {
    return manager.query('SELECT id, kind, expression, description, version FROM segments ORDER BY id');
  }

  async get(id: string): Promise<SegmentRow> {
    const [row] = await this.dataSource.query(
      'SELECT id, kind, expression, description, version FROM segments WHERE id = $1',
      [id],
    );
    if (!row) throw notFound('segment', id);
    return row;
  }

  /**
   * Saves a definition (a new version when it changes); membership is re-evaluated by the caller. Without a
   * description, an existing one is kept.
   */
  async save(
    manager: EntityManager,
    id: string,
    kind: 'dynamic' | 'static',
    expression: string | undefined,
    description?: string,
  ): Promise<SegmentRow> {
    if (kind === 'dynamic') {
      if (!expression) throw invalid('expression', 'a dynamic segment needs one');
      this.compile(expression);
    }
    const [row] = await manager.query(
      `INSERT INTO segments (id, kind, expression, description) VALUES ($1, $2, $3, coalesce($4, ''))
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, expression = EXCLUDED.expression,
         description = coalesce($4, segments.description),
         version = segments.version + CASE WHEN segments.expression IS DISTINCT FROM EXCLUDED.expression OR segments.kind <> EXCLUDED.kind THEN 1 ELSE 0 END,
         updated_at = now()
       RETURNING id, kind, expression, description, version`,
      [id, kind, kind === 'dynamic' ? expression : null, description ?? null],
    );
    return row;
  }

  async replaceStaticList(manager: EntityManager, id: string, customerIds: string[]): Promise<void> {
    await manager.query('DELETE FROM static_segment_lists WHERE segment_id = $1', [id]);
    await manager.query(
      `INSERT INTO static_segment_lists (segment_id, customer_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [id, [...new Set(customerIds)]],
    );
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
      const rows: { customer_id: string }[] = await manager.query(
        `WITH matching AS (${this.matchingSql(segment)})
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

  /** Customers of the list ($3) that match a segment at the as-of date ($1); $2 is the segment id. */
  private matchingSql(segment: SegmentRow, idsParam = 3): string {
    return segment.kind === 'dynamic'
      ? `SELECT c.customer_id ${FROM} WHERE c.registered AND c.customer_id = ANY($${idsParam}::uuid[]) AND ${this.compile(segment.expression!).sql}`
      : `SELECT l.customer_id FROM static_segment_lists l WHERE $1::timestamptz IS NOT NULL AND l.segment_id = $2 AND l.customer_id = ANY($${idsParam}::uuid[])`;
  }

  /**
   * Brings membership of the given customers (whose rows the caller has locked) up to date for every
   * segment, set-based; emits an event per entry and exit with the cause.
   */
  async evaluateCustomers(
    manager: EntityManager,
    customerIds: string[],
    asOf: Date,
    cause: RescoreCause,
    segments?: SegmentRow[],
  ): Promise<SegmentDiff> {
    const diff: SegmentDiff = { entered: 0, exited: 0 };
    const events: OutboxItem[] = [];
    const now = new Date();
    for (const segment of segments ?? (await this.all(manager))) {
      const matching = this.matchingSql(segment, 6);
      const changes: { change: 'entered' | 'exited'; customer_id: string }[] = await manager.query(
        `WITH matching AS (${matching}),
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
        [asOf, segment.id, now, cause.eventId ?? null, cause.sweepRunId ?? null, customerIds],
      );
      if (changes.length === 0) continue;
      await manager.query(
        `INSERT INTO segment_changes (segment_id, customer_id, change, caused_by_event_id, sweep_run_id, changed_at)
         SELECT $1, id, ch, $4, $5, $6 FROM unnest($2::uuid[], $3::text[]) AS rows(id, ch)`,
        [
          segment.id,
          changes.map((c) => c.customer_id),
          changes.map((c) => c.change),
          cause.eventId ?? null,
          cause.sweepRunId ?? null,
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
            sweepRunId: cause.sweepRunId,
            changedAt: now.toISOString(),
          },
          meta: {
            subject: customer_id,
            correlationId: cause.correlationId,
            causationId: cause.eventId ?? cause.sweepRunId,
          },
        });
      }
    }
    await this.outbox.publishMany(manager, events, { subjectsLockedByCaller: true });
    return diff;
  }

  /**
   * Why a customer is (or is not) in a segment: membership with its cause, and for a dynamic segment each
   * condition as written, whether it holds and the fact it looked at, at the as-of date.
   */
  async why(id: string, customerId: string, asOf: Date) {
    const segment = await this.get(id);
    const [member] = await this.dataSource.query(
      'SELECT entered_at, caused_by_event_id, sweep_run_id FROM segment_members WHERE segment_id = $1 AND customer_id = $2',
      [id, customerId],
    );
    const [lastChange] = await this.dataSource.query(
      `SELECT change, caused_by_event_id, sweep_run_id, changed_at FROM segment_changes
        WHERE segment_id = $1 AND customer_id = $2 ORDER BY id DESC LIMIT 1`,
      [id, customerId],
    );
    const base = {
      segment: id,
      kind: segment.kind,
      version: segment.version,
      expression: segment.expression,
      customerId,
      asOf: asOf.toISOString(),
      member: Boolean(member),
      lastChange: lastChange
        ? {
            change: lastChange.change,
            causedByEventId: lastChange.caused_by_event_id,
            sweepRunId: lastChange.sweep_run_id,
            changedAt: lastChange.changed_at,
          }
        : null,
    };
    if (segment.kind === 'static') {
      const [listed] = await this.dataSource.query(
        'SELECT 1 FROM static_segment_lists WHERE segment_id = $1 AND customer_id = $2',
        [id, customerId],
      );
      return {
        ...base,
        matchesNow: Boolean(listed),
        conditions: [{ condition: 'on the uploaded list', matched: Boolean(listed) }],
      };
    }
    const compiled = this.compile(segment.expression!);
    const columns = compiled.conditions.flatMap((c, i) => [`${c.sql} AS m${i}`, `${c.factSql} AS f${i}`]);
    const [row] = await this.dataSource.query(
      `SELECT c.registered, ${compiled.sql} AS matches, ${columns.join(', ')} ${FROM} WHERE c.customer_id = $2`,
      [asOf, customerId],
    );
    if (!row) throw notFound('customer known to tagging', customerId);
    return {
      ...base,
      matchesNow: row.registered && row.matches,
      conditions: compiled.conditions.map((c, i) => ({
        condition: c.text,
        matched: row[`m${i}`],
        fact: typeof row[`f${i}`] === 'boolean' ? row[`f${i}`] : (row[`f${i}`] ?? null),
      })),
    };
  }

  async members(id: string, limit: number, after?: string) {
    await this.get(id);
    const rows = await this.dataSource.query(
      `SELECT customer_id, entered_at, caused_by_event_id, sweep_run_id FROM segment_members
        WHERE segment_id = $1 AND ($2::uuid IS NULL OR customer_id > $2) ORDER BY customer_id LIMIT $3`,
      [id, after ?? null, limit],
    );
    const [{ total }] = await this.dataSource.query(
      'SELECT count(*)::int AS total FROM segment_members WHERE segment_id = $1',
      [id],
    );
    return {
      total,
      members: rows.map((r: Record<string, unknown>) => ({
        customerId: r.customer_id,
        enteredAt: r.entered_at,
        causedByEventId: r.caused_by_event_id,
        sweepRunId: r.sweep_run_id,
      })),
      next: rows.length === limit ? rows[rows.length - 1].customer_id : null,
    };
  }

  async ofCustomer(customerId: string) {
    return this.dataSource.query(
      `SELECT segment_id AS segment, entered_at AS "enteredAt", caused_by_event_id AS "causedByEventId", sweep_run_id AS "sweepRunId"
         FROM segment_members WHERE customer_id = $1 ORDER BY segment_id`,
      [customerId],
    );
  }
}
