import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '@crm/persistence';
import { RuleBook } from '../scoring/rule-book';

export const INSIGHT_GROUPS = ['tier', 'value-loyalty', 'custom-segment'] as const;
export type InsightGroup = (typeof INSIGHT_GROUPS)[number];

export interface GroupInsight {
  group: string;
  members: number;
  /** Of the members who bought in the 12 months before the date, the share who bought again. */
  repurchaseRate: number | null;
  /** Of the members who ever bought, the share with no purchase in the decline window (6 months) before it. */
  churnRate: number | null;
  totalSpend12m: number;
  averageSpend12m: number | null;
  /** Promoters minus detractors, per 100 answers, from each member's latest NPS in the 12 months. */
  nps: number | null;
  npsAnswers: number;
}

interface InsightRow {
  grp: string;
  members: number;
  buyers12: number;
  repeat12: number;
  buyers: number;
  churned: number;
  spend12: number;
  answers: number;
  promoters: number;
  detractors: number;
}

const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10000) / 10000;

/**
 * Insights per value tier, value-loyalty segment or custom segment at a date, and the same at a second date
 * for before / after. Groups are today's members; the measures are computed from the facts as of each date.
 */
@Injectable()
export class InsightsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly book: RuleBook,
  ) {}

  async at(groupBy: InsightGroup, date: Date): Promise<GroupInsight[]> {
    const members =
      groupBy === 'custom-segment'
        ? `SELECT m.customer_id, m.segment_id AS grp FROM segment_members m`
        : `SELECT s.customer_id, ${groupBy === 'tier' ? 's.value_tier' : 's.value_loyalty_segment'} AS grp
             FROM customer_scores s JOIN customers c ON c.customer_id = s.customer_id WHERE c.registered`;
    const rows = await queryRows<InsightRow>(
      this.dataSource,
      `WITH members AS (${members}),
       bought AS (
         SELECT m.grp, m.customer_id,
                count(f.order_id) FILTER (WHERE f.occurred_at > $1::timestamptz - interval '12 months' AND f.occurred_at <= $1)::int AS n12,
                coalesce(sum(f.amount) FILTER (WHERE f.occurred_at > $1::timestamptz - interval '12 months' AND f.occurred_at <= $1), 0)::float8 AS spend12,
                count(f.order_id) FILTER (WHERE f.occurred_at <= $1)::int AS n_all,
                max(f.occurred_at) FILTER (WHERE f.occurred_at <= $1) AS last_at
           FROM members m LEFT JOIN net_purchases f ON f.customer_id = m.customer_id
          GROUP BY m.grp, m.customer_id),
       nps AS (
         SELECT DISTINCT ON (customer_id) customer_id, score FROM satisfaction_facts
          WHERE kind = 'nps' AND answered_at <= $1 AND answered_at > $1::timestamptz - interval '12 months'
          ORDER BY customer_id, answered_at DESC)
       SELECT b.grp, count(*)::int AS members,
              count(*) FILTER (WHERE b.n12 >= 1)::int AS buyers12, count(*) FILTER (WHERE b.n12 >= 2)::int AS repeat12,
              count(*) FILTER (WHERE b.n_all > 0)::int AS buyers,
              count(*) FILTER (WHERE b.n_all > 0 AND b.last_at <= $1::timestamptz - make_interval(months => $2))::int AS churned,
              coalesce(sum(b.spend12), 0)::float8 AS spend12,
              count(n.score)::int AS answers, count(*) FILTER (WHERE n.score >= 9)::int AS promoters,
              count(*) FILTER (WHERE n.score <= 6)::int AS detractors
         FROM bought b LEFT JOIN nps n ON n.customer_id = b.customer_id
        GROUP BY b.grp ORDER BY b.grp`,
      [date, this.book.rules.lifecycle.declineAfterMonths],
    );
    return rows.map((r) => ({
      group: r.grp,
      members: r.members,
      repurchaseRate: ratio(r.repeat12, r.buyers12),
      churnRate: ratio(r.churned, r.buyers),
      totalSpend12m: Math.round(r.spend12 * 100) / 100,
      averageSpend12m: r.members === 0 ? null : Math.round((r.spend12 / r.members) * 100) / 100,
      nps: r.answers === 0 ? null : Math.round(((r.promoters - r.detractors) / r.answers) * 1000) / 10,
      npsAnswers: r.answers,
    }));
  }

  async compare(groupBy: InsightGroup, at: Date, compareTo?: Date) {
    const current = await this.at(groupBy, at);
    if (!compareTo) return { groupBy, at: at.toISOString(), groups: current };
    const before = await this.at(groupBy, compareTo);
    const delta = (a: number | null, b: number | null | undefined) =>
      a === null || b === null || b === undefined ? null : Math.round((a - b) * 10000) / 10000;
    return {
      groupBy,
      at: at.toISOString(),
      compareTo: compareTo.toISOString(),
      groups: current.map((group) => {
        const then = before.find((b) => b.group === group.group);
        return {
          ...group,
          before: then ?? null,
          change: {
            repurchaseRate: delta(group.repurchaseRate, then?.repurchaseRate),
            churnRate: delta(group.churnRate, then?.churnRate),
            totalSpend12m: delta(group.totalSpend12m, then?.totalSpend12m),
            averageSpend12m: delta(group.averageSpend12m, then?.averageSpend12m),
            nps: delta(group.nps, then?.nps),
          },
        };
      }),
    };
  }
}
