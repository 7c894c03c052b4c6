import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export const SATISFACTION_GROUPS = { tier: 'value_tier', segment: 'value_loyalty_segment' } as const;
export type SatisfactionGroup = keyof typeof SATISFACTION_GROUPS;

/** The answers of one group and period, as counted by the database. */
export interface AnswerCounts {
  csat_answers: number;
  csat_sum: number;
  nps_answers: number;
  promoters: number;
  passives: number;
  detractors: number;
}

export interface SatisfactionFigures {
  csat: { answers: number; mean: number | null };
  /** NPS: the share of promoters (9-10) minus the share of detractors (0-6), in points from -100 to 100. */
  nps: { answers: number; promoters: number; passives: number; detractors: number; score: number | null };
}

/** The metric definitions, once: CSAT mean to two decimals, NPS rounded to a whole point. */
export function satisfactionFigures(c: AnswerCounts): SatisfactionFigures {
  return {
    csat: {
      answers: c.csat_answers,
      mean: c.csat_answers === 0 ? null : Math.round((c.csat_sum / c.csat_answers) * 100) / 100,
    },
    nps: {
      answers: c.nps_answers,
      promoters: c.promoters,
      passives: c.passives,
      detractors: c.detractors,
      score: c.nps_answers === 0 ? null : Math.round(((c.promoters - c.detractors) / c.nps_answers) * 100),
    },
  };
}

/**
 * CSAT and NPS over the surveys answered in [from, to), per value tier or value-loyalty segment (the customer's
 * class as feedback-sla knows it now) and per period, with a total.
 */
@Injectable()
export class SatisfactionReportService {
  constructor(private readonly dataSource: DataSource) {}

  async report(query: {
    from: Date;
    to: Date;
    groupBy: SatisfactionGroup;
    period: 'day' | 'week' | 'month' | 'all';
  }) {
    const column = SATISFACTION_GROUPS[query.groupBy];
    const period =
      query.period === 'all' ? 'NULL::timestamptz' : `date_trunc('${query.period}', s.answered_at)`;
    const counts = `count(*) FILTER (WHERE s.kind = 'csat')::int AS csat_answers,
              coalesce(sum(s.score) FILTER (WHERE s.kind = 'csat'), 0)::int AS csat_sum,
              count(*) FILTER (WHERE s.kind = 'nps')::int AS nps_answers,
              count(*) FILTER (WHERE s.kind = 'nps' AND s.score >= 9)::int AS promoters,
              count(*) FILTER (WHERE s.kind = 'nps' AND s.score BETWEEN 7 AND 8)::int AS passives,
              count(*) FILTER (WHERE s.kind = 'nps' AND s.score <= 6)::int AS detractors`;
    const where = `FROM survey_requests s LEFT JOIN customers c ON c.customer_id = s.customer_id
        WHERE s.status = 'answered' AND s.answered_at >= $1 AND s.answered_at < $2`;
    const rows = (await this.dataSource.query(
      `SELECT ${period} AS period, c.${column} AS "group", ${counts} ${where}
        GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2 NULLS LAST`,
      [query.from, query.to],
    )) as Array<AnswerCounts & { period: Date | null; group: string | null }>;
    const [total] = (await this.dataSource.query(`SELECT ${counts} ${where}`, [
      query.from,
      query.to,
    ])) as AnswerCounts[];
    return {
      from: query.from,
      to: query.to,
      groupBy: query.groupBy,
      period: query.period,
      rows: rows.map((r) => ({
        period: r.period,
        [query.groupBy]: r.group ?? 'unknown',
        ...satisfactionFigures(r),
      })),
      total: satisfactionFigures(total),
    };
  }
}
