import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FeedbackConfig } from '../feedback.config';

export const REPORT_GROUPS = {
  tier: 'customer_tier',
  type: 'ticket_type',
  policy: 'policy_id',
  priority: 'priority',
  owner: 'owner',
  // The owner's team (the first by id that has them as member or lead), as the queue and escalation see it.
  team: `(SELECT tm.id FROM teams tm WHERE tickets.owner = ANY (tm.members) OR tm.lead = tickets.owner ORDER BY tm.id LIMIT 1)`,
} as const;
export const REPORT_PERIODS = ['day', 'week', 'month', 'all'] as const;

export interface SlaReportQuery {
  from: Date;
  to: Date;
  groupBy: keyof typeof REPORT_GROUPS;
  period: (typeof REPORT_PERIODS)[number];
}

interface Counts {
  tickets: number;
  responded: number;
  first_response_met: number;
  first_response_breached: number;
  first_response_seconds: number;
  resolved: number;
  resolution_met: number;
  resolution_breached: number;
  resolution_seconds: number;
  next_response_breaches: number;
}

interface Row extends Counts {
  period: Date | null;
  group: string | null;
}

const share = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10000) / 10000;

/**
 * SLA reports over tickets opened in [from, to): share within SLA (of the deadlines already settled: met
 * or breached), resolution rate against its target, average first-response and resolution times, breaches;
 * per value tier (or type, policy, priority) and per period, with a total.
 */
@Injectable()
export class SlaReportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: FeedbackConfig,
  ) {}

  async report(query: SlaReportQuery) {
    const column = REPORT_GROUPS[query.groupBy];
    const period = query.period === 'all' ? 'NULL::timestamptz' : `date_trunc('${query.period}', opened_at)`;
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${period} AS period, ${column} AS "group",
              count(*)::int AS tickets,
              count(*) FILTER (WHERE first_responded_at IS NOT NULL)::int AS responded,
              count(*) FILTER (WHERE first_responded_at IS NOT NULL AND first_response_breached_at IS NULL)::int AS first_response_met,
              count(*) FILTER (WHERE first_response_breached_at IS NOT NULL)::int AS first_response_breached,
              coalesce(sum(extract(epoch FROM first_responded_at - opened_at)), 0)::float8 AS first_response_seconds,
              count(*) FILTER (WHERE resolved_at IS NOT NULL)::int AS resolved,
              count(*) FILTER (WHERE resolved_at IS NOT NULL AND resolution_breached_at IS NULL)::int AS resolution_met,
              count(*) FILTER (WHERE resolution_breached_at IS NOT NULL)::int AS resolution_breached,
              coalesce(sum(extract(epoch FROM resolved_at - opened_at)), 0)::float8 AS resolution_seconds,
              coalesce(sum(next_response_breaches), 0)::int AS next_response_breaches
         FROM tickets WHERE opened_at >= $1 AND opened_at < $2
        GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2 NULLS LAST`,
      [query.from, query.to],
    );
    const target = this.config.RESOLUTION_RATE_TARGET;
    const shape = (r: Counts) => {
      const rate = share(r.resolved, r.tickets);
      return {
        tickets: r.tickets,
        firstResponse: {
          met: r.first_response_met,
          breached: r.first_response_breached,
          withinSlaShare: share(r.first_response_met, r.first_response_met + r.first_response_breached),
          averageSeconds: r.responded === 0 ? null : Math.round(r.first_response_seconds / r.responded),
        },
        resolution: {
          resolved: r.resolved,
          met: r.resolution_met,
          breached: r.resolution_breached,
          withinSlaShare: share(r.resolution_met, r.resolution_met + r.resolution_breached),
          averageSeconds: r.resolved === 0 ? null : Math.round(r.resolution_seconds / r.resolved),
          rate,
          meetsTarget: rate === null ? null : rate >= target,
        },
        nextResponseBreaches: r.next_response_breaches,
      };
    };
    const keys: (keyof Counts)[] = [
      'tickets',
      'responded',
      'first_response_met',
      'first_response_breached',
      'first_response_seconds',
      'resolved',
      'resolution_met',
      'resolution_breached',
      'resolution_seconds',
      'next_response_breaches',
    ];
    const total = Object.fromEntries(
      keys.map((k) => [k, rows.reduce((sum, r) => sum + Number(r[k]), 0)]),
    ) as unknown as Counts;
    return {
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      groupBy: query.groupBy,
      period: query.period,
      resolutionRateTarget: target,
      rows: rows.map((r) => ({
        period: r.period ? new Date(r.period).toISOString() : null,
        [query.groupBy]: r.group ?? 'unknown',
        ...shape(r),
      })),
      total: shape(total),
    };
  }
}
