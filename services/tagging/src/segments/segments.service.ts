import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { conflict, invalid, notFound } from '@crm/service-kit';
import { TaggingConfig } from '../tagging.config';
import { SegmentMembership } from './segment-membership';
import { SweepService, type SweepRun } from '../sweeps/sweep.service';
import { SegmentCompiler, SegmentErrorCode } from './segment-compiler';
import { SEGMENT_FROM, SegmentsRepository, type SegmentRow } from './segments.repository';

const SAMPLE_SIZE = 10;
const PREVIEW_TIMEOUT_MS = 15_000;

export class SegmentView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['dynamic', 'static'] }) kind: 'dynamic' | 'static';
  @ApiPropertyOptional({ nullable: true }) expression: string | null;
  @ApiProperty() description: string;
  @ApiProperty({ description: 'Grows when the expression or kind changes' }) version: number;
  @ApiProperty({
    enum: ['active', 'suspended'],
    description: 'A segment whose evaluation failed or timed out is suspended until it is defined again',
  })
  status: 'active' | 'suspended';
  @ApiPropertyOptional({ nullable: true }) suspendedReason: string | null;
}

const toSegmentView = (r: SegmentRow): SegmentView => ({
  id: r.id,
  kind: r.kind,
  expression: r.expression,
  description: r.description,
  version: r.version,
  status: r.status,
  suspendedReason: r.suspended_reason,
});

export class SegmentPreviewView {
  @ApiProperty() expression: string;
  @ApiProperty() asOf: string;
  @ApiProperty() count: number;
  @ApiProperty({ type: [String] }) sample: string[];
  @ApiProperty({ type: [String], description: 'Each condition as written' }) conditions: string[];
}

export class SegmentMemberView {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() enteredAt: Date;
  @ApiPropertyOptional({ nullable: true }) causedByEventId: string | null;
  @ApiPropertyOptional({ nullable: true }) sweepRunId: string | null;
}

export class SegmentMembersView {
  @ApiProperty() total: number;
  @ApiProperty({ type: [SegmentMemberView] }) members: SegmentMemberView[];
  @ApiPropertyOptional({ nullable: true, description: 'Pass as `after` for the next page' }) next:
    string | null;
}

export class CustomerSegmentView {
  @ApiProperty() segment: string;
  @ApiProperty() enteredAt: Date;
  @ApiPropertyOptional({ nullable: true }) causedByEventId: string | null;
  @ApiPropertyOptional({ nullable: true }) sweepRunId: string | null;
}

export class SegmentChangeView {
  @ApiProperty({ enum: ['entered', 'exited'] }) change: 'entered' | 'exited';
  @ApiPropertyOptional({ nullable: true }) causedByEventId: string | null;
  @ApiPropertyOptional({ nullable: true }) sweepRunId: string | null;
  @ApiProperty() changedAt: Date;
}

export class ConditionView {
  @ApiProperty() condition: string;
  @ApiProperty() matched: boolean;
  @ApiPropertyOptional({ description: 'The fact the condition looked at' }) fact?: unknown;
}

export class SegmentWhyView {
  @ApiProperty() segment: string;
  @ApiProperty({ enum: ['dynamic', 'static'] }) kind: 'dynamic' | 'static';
  @ApiProperty() version: number;
  @ApiPropertyOptional({ nullable: true }) expression: string | null;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() asOf: string;
  @ApiProperty() member: boolean;
  @ApiPropertyOptional({ type: SegmentChangeView, nullable: true }) lastChange: SegmentChangeView | null;
  @ApiProperty() matchesNow: boolean;
  @ApiProperty({ type: [ConditionView] }) conditions: ConditionView[];
}

/** Dynamic segments (a condition over tagging's read model) and static ones (an uploaded list). */
@Injectable()
export class SegmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly segments: SegmentsRepository,
    private readonly compiler: SegmentCompiler,
    private readonly membership: SegmentMembership,
    private readonly sweeps: SweepService,
    private readonly config: TaggingConfig,
  ) {}

  /** Count and sample, read-only and bounded in time: an ad-hoc condition must not hog the database. */
  async preview(expression: string, asOf: Date): Promise<SegmentPreviewView> {
    const compiled = this.compiler.compile(expression);
    const { count, sample } = await this.dataSource
      .transaction('REPEATABLE READ', async (manager) => {
        await execute(manager, 'SET TRANSACTION READ ONLY');
        await execute(manager, `SET LOCAL statement_timeout = ${PREVIEW_TIMEOUT_MS}`);
        const counted = await queryOne<{ count: number }>(
          manager,
          `SELECT count(*)::int AS count ${SEGMENT_FROM} WHERE c.registered AND ${compiled.sql}`,
          [asOf],
        );
        const rows = await queryRows<{ customer_id: string }>(
          manager,
          `SELECT c.customer_id ${SEGMENT_FROM} WHERE c.registered AND ${compiled.sql} ORDER BY c.customer_id LIMIT ${SAMPLE_SIZE}`,
          [asOf],
        );
        return { count: counted?.count ?? 0, sample: rows };
      })
      .catch((error: { driverError?: { code?: string } }) => {
        if (error.driverError?.code === '57014')
          throw invalid(
            'expression',
            `took longer than ${PREVIEW_TIMEOUT_MS / 1000} s to preview; narrow it`,
            SegmentErrorCode.PreviewTooSlow,
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

  async all(): Promise<SegmentView[]> {
    return (await this.segments.all()).map(toSegmentView);
  }

  async view(id: string): Promise<SegmentView> {
    return toSegmentView(await this.get(id));
  }

  /** Deletes a segment; each member's exit is recorded and published with this request as the cause. */
  async remove(id: string, correlationId: string): Promise<{ id: string; exited: number }> {
    return this.dataSource.transaction(async (manager) => {
      const members = await this.segments.remove(manager, id);
      if (!members) throw notFound('segment', id);
      await this.membership.recordDeletion(manager, id, members, { correlationId });
      return { id, exited: members.length };
    });
  }

  async get(id: string): Promise<SegmentRow> {
    const row = await this.segments.find(id);
    if (!row) throw notFound('segment', id);
    return row;
  }

  /** Saves a definition (a new version when it changes) and starts evaluating everyone's membership in a run. */
  async define(
    id: string,
    kind: 'dynamic' | 'static',
    expression: string | undefined,
    description: string,
    correlationId: string,
  ): Promise<SegmentView & { evaluation: SweepRun }> {
    const segment = await this.dataSource.transaction((manager) =>
      this.save(manager, id, kind, expression, description),
    );
    const evaluation = await this.sweeps.start({
      trigger: 'segment-defined',
      segmentsOnly: [segment],
      correlationId,
    });
    return { ...toSegmentView(segment), evaluation };
  }

  /** Replaces the list of a static segment; entries and exits follow in a run. */
  async uploadList(
    id: string,
    customerIds: string[],
    correlationId: string,
  ): Promise<SegmentView & { evaluation: SweepRun }> {
    const segment = await this.dataSource.transaction(async (manager) => {
      const saved = await this.save(manager, id, 'static', undefined);
      await this.segments.replaceStaticList(manager, id, customerIds);
      return saved;
    });
    const evaluation = await this.sweeps.start({
      trigger: 'segment-defined',
      segmentsOnly: [segment],
      correlationId,
    });
    return { ...toSegmentView(segment), evaluation };
  }

  /**
   * Saves a definition; a dynamic one is first run once (planned and executed on no rows) in the same
   * transaction, so a condition Postgres cannot run is a 400 and never saved. Without a description, an
   * existing one is kept.
   */
  private async save(
    manager: EntityManager,
    id: string,
    kind: 'dynamic' | 'static',
    expression: string | undefined,
    description?: string,
  ): Promise<SegmentRow> {
    if (
      !(await this.segments.find(id, manager)) &&
      (await this.segments.count(manager)) >= this.config.TAGGING_MAX_SEGMENTS
    )
      throw conflict(
        SegmentErrorCode.LimitReached,
        'id',
        `at most ${this.config.TAGGING_MAX_SEGMENTS} segments can be defined (TAGGING_MAX_SEGMENTS); delete one first`,
      );
    if (kind === 'dynamic') {
      if (!expression) throw invalid('expression', 'a dynamic segment needs one');
      const compiled = this.compiler.compile(expression);
      await execute(
        manager,
        `SELECT c.customer_id ${SEGMENT_FROM} WHERE c.registered AND ${compiled.sql} LIMIT 0`,
        [new Date()],
      ).catch((error: Error) => {
        throw invalid(
          'expression',
          `cannot be evaluated: ${error.message}`,
          SegmentErrorCode.ExpressionInvalid,
        );
      });
    }
    return this.segments.upsert(
      manager,
      id,
      kind,
      kind === 'dynamic' ? expression! : null,
      description ?? null,
    );
  }

  /**
   * Why a customer is (or is not) in a segment: membership with its cause, and for a dynamic segment each
   * condition as written, whether it holds and the fact it looked at, at the as-of date.
   */
  async why(id: string, customerId: string, asOf: Date): Promise<SegmentWhyView> {
    const segment = await this.get(id);
    const member = await this.segments.member(id, customerId);
    const lastChange = await this.segments.lastChange(id, customerId);
    const base = {
      segment: id,
      kind: segment.kind,
      version: segment.version,
      expression: segment.expression,
      customerId,
      asOf: asOf.toISOString(),
      member: member !== undefined,
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
      const listed = await this.segments.isListed(id, customerId);
      return {
        ...base,
        matchesNow: listed,
        conditions: [{ condition: 'on the uploaded list', matched: listed }],
      };
    }
    const compiled = this.compiler.compile(segment.expression ?? '');
    const columns = compiled.conditions.flatMap((c, i) => [`${c.sql} AS m${i}`, `${c.factSql} AS f${i}`]);
    const row = await this.segments.evaluateFor(compiled.sql, columns, asOf, customerId);
    if (!row) throw notFound('customer known to tagging', customerId);
    return {
      ...base,
      matchesNow: row.registered === true && row.matches === true,
      conditions: compiled.conditions.map((c, i) => ({
        condition: c.text,
        matched: row[`m${i}`] === true,
        fact: row[`f${i}`] ?? null,
      })),
    };
  }

  async members(id: string, limit: number, after?: string): Promise<SegmentMembersView> {
    await this.get(id);
    const rows = await this.segments.members(id, limit, after);
    return {
      total: await this.segments.memberCount(id),
      members: rows.map((r) => ({
        customerId: r.customer_id,
        enteredAt: r.entered_at,
        causedByEventId: r.caused_by_event_id,
        sweepRunId: r.sweep_run_id,
      })),
      next: rows.length === limit ? rows[rows.length - 1].customer_id : null,
    };
  }

  async ofCustomer(customerId: string): Promise<CustomerSegmentView[]> {
    return (await this.segments.ofCustomer(customerId)).map((r) => ({
      segment: r.segment_id,
      enteredAt: r.entered_at,
      causedByEventId: r.caused_by_event_id,
      sweepRunId: r.sweep_run_id,
    }));
  }
}
