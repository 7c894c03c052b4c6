import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { execute, queryOne, queryRows, ServiceClock } from '@crm/persistence';
import { invalid, notFound } from '@crm/service-kit';
import { RuleBook } from '../scoring/rule-book';
import {
  membersSql,
  metricDefinition,
  METRICS,
  TIER_CADENCE_PER_MONTH,
  type MetricDefinition,
} from './kpi-metrics';

export class MetricResult {
  @ApiProperty() metric: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['score', 'ratio', 'minutes', 'money', 'nps'] }) unit: string;
  @ApiPropertyOptional({ nullable: true, description: 'Null when nothing was measured (sample 0)' })
  value: number | null;
  @ApiProperty({ description: 'How many customers, answers, tickets or referrals it was measured on' })
  sample: number;
  @ApiPropertyOptional({ nullable: true }) target: number | null;
  @ApiPropertyOptional({ nullable: true }) meetsTarget: boolean | null;
  @ApiProperty() definition: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } }) breakdown?: Record<string, unknown>[];
}

export interface GoalRow {
  id: string;
  name: string;
  metric: string;
  segment: string;
  baseline: number;
  target: number;
  owner: string;
  review_on: string;
  gap_note: string | null;
}

export class GoalView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() metric: string;
  @ApiProperty() segment: string;
  @ApiProperty() baseline: number;
  @ApiProperty() target: number;
  @ApiPropertyOptional({ nullable: true, description: 'The metric over the last 30 days' }) current:
    number | null;
  @ApiPropertyOptional({
    nullable: true,
    description: 'How far from baseline to target the current value is, in % (100: reached)',
  })
  achievement: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'target - current' }) gap: number | null;
  @ApiProperty() owner: string;
  @ApiProperty() reviewOn: string;
  @ApiPropertyOptional({ nullable: true }) gapNote: string | null;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const DAY = 86_400_000;
/** The window a goal's current value is measured over. */
export const GOAL_WINDOW_DAYS = 30;

/** How far from baseline to target a value is, in %: 0 at the baseline, 100 at the target. */
export function achievement(baseline: number, target: number, value: number | null): number | null {
  if (value === null || target === baseline) return null;
  return round(((value - baseline) / (target - baseline)) * 100, 1);
}

/** The goals the handbook tracks, and the metrics they are measured by, computed from tagging's facts. */
@Injectable()
export class KpisService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: ServiceClock,
    private readonly book: RuleBook,
  ) {}

  async measure(metric: MetricDefinition, segment: string, from: Date, to: Date): Promise<MetricResult> {
    const members = membersSql(segment);
    const parameters: unknown[] = [from, to, ...(members.parameter === null ? [] : [members.parameter])];
    const sql = `WITH m AS (${members.sql}) ${metric.sql({ declineMonths: this.book.rules.lifecycle.declineAfterMonths }).replace(/^\s*WITH\s/i, ', ')}`;
    const base = {
      metric: metric.id,
      name: metric.name,
      unit: metric.unit,
      target: metric.target ?? null,
      definition: metric.definition,
    };
    let value: number | null;
    let sample: number;
    let breakdown: Record<string, unknown>[] | undefined;
    if (metric.breakdown) {
      const rows = await queryRows<{ grp: string; sample: number; value: number; meeting: number }>(
        this.dataSource,
        sql,
        parameters,
      );
      sample = rows.reduce((n, r) => n + r.sample, 0);
      if (metric.breakdown === 'tier') {
        const months = Math.max((to.getTime() - from.getTime()) / DAY / 30.4375, 0.0001);
        const meeting = rows.reduce((n, r) => n + r.meeting, 0);
        value = sample === 0 ? null : round(meeting / sample, 4);
        breakdown = rows.map((r) => ({
          group: r.grp,
          members: r.sample,
          contactsPerMemberPerMonth: round(r.value / r.sample / months, 2),
          cadencePerMonth: round(TIER_CADENCE_PER_MONTH[r.grp] ?? 0, 2),
          meetingCadence: r.meeting,
        }));
      } else {
        const revenue = rows.reduce((n, r) => n + r.value, 0);
        const cost = rows.reduce((n, r) => n + r.meeting, 0);
        value = cost === 0 ? null : round(revenue / cost, 2);
        breakdown = rows.map((r) => {
          const roi = r.meeting === 0 ? null : round(r.value / r.meeting, 2);
          return {
            group: r.grp,
            customers: r.sample,
            revenue: round(r.value, 2),
            cost: round(r.meeting, 2),
            roi,
            belowTarget: roi !== null && roi < (metric.target ?? 0),
          };
        });
      }
    } else {
      const row = await queryOne<{ value: number | null; sample: number }>(this.dataSource, sql, parameters);
      value = row?.value ?? null;
      sample = row?.sample ?? 0;
    }
    return {
      ...base,
      value,
      sample,
      meetsTarget:
        value === null || metric.target === undefined
          ? null
          : metric.lower
            ? value <= metric.target
            : value >= metric.target,
      ...(breakdown ? { breakdown } : {}),
    };
  }

  /** Every metric for a group over a period. */
  async all(segment: string, from: Date, to: Date): Promise<MetricResult[]> {
    membersSql(segment);
    const out: MetricResult[] = [];
    for (const metric of METRICS) out.push(await this.measure(metric, segment, from, to));
    return out;
  }

  async putGoal(id: string, goal: Omit<GoalRow, 'id'>): Promise<GoalView> {
    metricDefinition(goal.metric);
    membersSql(goal.segment);
    await execute(
      this.dataSource,
      `INSERT INTO kpi_goals (id, name, metric, segment, baseline, target, owner, review_on, gap_note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, metric = EXCLUDED.metric, segment = EXCLUDED.segment,
         baseline = EXCLUDED.baseline, target = EXCLUDED.target, owner = EXCLUDED.owner, review_on = EXCLUDED.review_on,
         gap_note = EXCLUDED.gap_note, updated_at = now()`,
      [
        id,
        goal.name,
        goal.metric,
        goal.segment,
        goal.baseline,
        goal.target,
        goal.owner,
        goal.review_on,
        goal.gap_note,
      ],
    );
    return this.goal(id);
  }

  async goal(id: string): Promise<GoalView> {
    const row = await queryOne<GoalRow>(
      this.dataSource,
      `SELECT ${GOAL_COLUMNS} FROM kpi_goals WHERE id = $1`,
      [id],
    );
    if (!row) throw notFound('goal', id);
    return this.goalView(row);
  }

  async goals(): Promise<GoalView[]> {
    const rows = await queryRows<GoalRow>(
      this.dataSource,
      `SELECT ${GOAL_COLUMNS} FROM kpi_goals ORDER BY id`,
    );
    const out: GoalView[] = [];
    for (const row of rows) out.push(await this.goalView(row));
    return out;
  }

  async deleteGoal(id: string): Promise<void> {
    const rows = await queryRows(this.dataSource, 'DELETE FROM kpi_goals WHERE id = $1 RETURNING id', [id]);
    if (rows.length === 0) throw notFound('goal', id);
  }

  /**
   * The monthly report: every goal's metric for its segment in the month and in the month before (before /
   * after), with the change, baseline, target and achievement.
   */
  async monthlyReport(month: string): Promise<MonthlyReport> {
    const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
    if (!match) throw invalid('month', 'must be a month, YYYY-MM');
    const [year, m] = [Number(match[1]), Number(match[2]) - 1];
    const from = new Date(Date.UTC(year, m, 1));
    const to = new Date(Date.UTC(year, m + 1, 1));
    const previous = new Date(Date.UTC(year, m - 1, 1));
    const goals = await queryRows<GoalRow>(
      this.dataSource,
      `SELECT ${GOAL_COLUMNS} FROM kpi_goals ORDER BY id`,
    );
    const rows: MonthlyReportRow[] = [];
    for (const goal of goals) {
      const metric = metricDefinition(goal.metric);
      const after = await this.measure(metric, goal.segment, from, to);
      const before = await this.measure(metric, goal.segment, previous, from);
      rows.push({
        goal: goal.id,
        name: goal.name,
        metric: goal.metric,
        segment: goal.segment,
        owner: goal.owner,
        baseline: goal.baseline,
        target: goal.target,
        before: before.value,
        beforeSample: before.sample,
        after: after.value,
        afterSample: after.sample,
        change: after.value === null || before.value === null ? null : round(after.value - before.value, 4),
        achievement: achievement(goal.baseline, goal.target, after.value),
        reviewOn: goal.review_on,
        gapNote: goal.gap_note,
      });
    }
    return { month, from: from.toISOString(), to: to.toISOString(), goals: rows };
  }

  private async goalView(row: GoalRow): Promise<GoalView> {
    const now = await this.clock.now();
    const current = await this.measure(
      metricDefinition(row.metric),
      row.segment,
      new Date(now.getTime() - GOAL_WINDOW_DAYS * DAY),
      now,
    );
    return {
      id: row.id,
      name: row.name,
      metric: row.metric,
      segment: row.segment,
      baseline: row.baseline,
      target: row.target,
      current: current.value,
      achievement: achievement(row.baseline, row.target, current.value),
      gap: current.value === null ? null : round(row.target - current.value, 4),
      owner: row.owner,
      reviewOn: row.review_on,
      gapNote: row.gap_note,
    };
  }
}

const GOAL_COLUMNS = `id, name, metric, segment, baseline, target, owner, to_char(review_on, 'YYYY-MM-DD') AS review_on, gap_note`;

export interface MonthlyReportRow {
  goal: string;
  name: string;
  metric: string;
  segment: string;
  owner: string;
  baseline: number;
  target: number;
  before: number | null;
  beforeSample: number;
  after: number | null;
  afterSample: number;
  change: number | null;
  achievement: number | null;
  reviewOn: string;
  gapNote: string | null;
}

export interface MonthlyReport {
  month: string;
  from: string;
  to: string;
  goals: MonthlyReportRow[];
}
