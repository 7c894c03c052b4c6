import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne, queryRows } from '@crm/persistence';
import { membersSql } from './kpi-metrics';

/** The lifecycle in its forward order (churned is where decline leads when nothing happens). */
export const STAGE_ORDER = ['acquisition', 'growth', 'maturity', 'decline', 'churned'] as const;

export interface JourneyMap {
  segment: string;
  from: string;
  to: string;
  /** Every move between stages in the period, with how many customers made it. */
  transitions: { from: string | null; to: string; customers: number; reactivations: number }[];
  /**
   * For each forward pair: of the members in the first stage during the period (in it at the start, or
   * entering it), the share who moved on to the second in the period (conversion), and the share who left it
   * any other way (drop-off: to decline or churned, skipping ahead); the rest are still in it.
   */
  conversion: {
    from: string;
    to: string;
    inStage: number;
    moved: number;
    droppedOff: number;
    conversion: number | null;
    dropOff: number | null;
  }[];
  /** Median and mean days spent in a stage, over the stays that ended in the period. */
  timeInStage: { stage: string; stays: number; medianDays: number | null; meanDays: number | null }[];
  /**
   * The growth funnel of the members whose relationship started in the period: acquired, activated (a first
   * purchase), retained (a second purchase), converted (bought a second category: cross-sell), referred
   * someone (a referral attributed to them) — each before the end of the period.
   */
  funnel: {
    step: 'acquire' | 'activate' | 'retain' | 'convert' | 'refer';
    customers: number;
    fromPrevious: number | null;
  }[];
}

const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10000) / 10000;

/** The journey map between two dates for a group of customers (today's members of a segment, or everyone). */
@Injectable()
export class JourneyMapService {
  constructor(private readonly dataSource: DataSource) {}

  async map(segment: string, from: Date, to: Date): Promise<JourneyMap> {
    const members = membersSql(segment);
    const p: unknown[] = [from, to, ...(members.parameter === null ? [] : [members.parameter])];
    const m = `m AS (${members.sql})`;
    const transitions = await queryRows<{
      prev: string | null;
      stage: string;
      customers: number;
      reactivations: number;
    }>(
      this.dataSource,
      `WITH ${m} SELECT h.previous_stage AS prev, h.stage, count(DISTINCT h.customer_id)::int AS customers,
              count(*) FILTER (WHERE h.reactivated)::int AS reactivations
         FROM stage_history h JOIN m USING (customer_id) WHERE h.changed_at >= $1 AND h.changed_at < $2
        GROUP BY h.previous_stage, h.stage ORDER BY customers DESC, h.stage`,
      p,
    );
    const conversion: JourneyMap['conversion'] = [];
    for (let i = 0; i + 1 < STAGE_ORDER.length - 1; i++) {
      const [stage, next] = [STAGE_ORDER[i], STAGE_ORDER[i + 1]];
      const row = await queryOne<{ in_stage: number; moved: number; dropped: number }>(
        this.dataSource,
        `WITH ${m},
         at_start AS (SELECT DISTINCT ON (h.customer_id) h.customer_id, h.stage FROM stage_history h JOIN m USING (customer_id)
            WHERE h.changed_at < $1 ORDER BY h.customer_id, h.changed_at DESC, h.id DESC),
         in_stage AS (SELECT customer_id FROM at_start WHERE stage = '${stage}'
            UNION SELECT h.customer_id FROM stage_history h JOIN m USING (customer_id)
             WHERE h.stage = '${stage}' AND h.changed_at >= $1 AND h.changed_at < $2),
         moves AS (SELECT s.customer_id,
              bool_or(h.previous_stage = '${stage}' AND h.stage = '${next}') AS moved,
              bool_or(h.previous_stage = '${stage}' AND h.stage <> '${next}') AS dropped
            FROM in_stage s LEFT JOIN stage_history h ON h.customer_id = s.customer_id AND h.changed_at >= $1 AND h.changed_at < $2
           GROUP BY s.customer_id)
         SELECT count(*)::int AS in_stage, count(*) FILTER (WHERE moved)::int AS moved,
                count(*) FILTER (WHERE dropped AND NOT moved)::int AS dropped FROM moves`,
        p,
      );
      const inStage = row?.in_stage ?? 0;
      conversion.push({
        from: stage,
        to: next,
        inStage,
        moved: row?.moved ?? 0,
        droppedOff: row?.dropped ?? 0,
        conversion: ratio(row?.moved ?? 0, inStage),
        dropOff: ratio(row?.dropped ?? 0, inStage),
      });
    }
    const time = await queryRows<{
      stage: string;
      stays: number;
      median: number | null;
      mean: number | null;
    }>(
      this.dataSource,
      `WITH ${m},
       stays AS (SELECT h.stage, h.changed_at AS entered,
              lead(h.changed_at) OVER (PARTITION BY h.customer_id ORDER BY h.changed_at, h.id) AS left_at
         FROM stage_history h JOIN m USING (customer_id))
       SELECT stage, count(*)::int AS stays,
              round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - entered) / 86400))::numeric, 2)::float8 AS median,
              round(avg(extract(epoch FROM left_at - entered) / 86400)::numeric, 2)::float8 AS mean
         FROM stays WHERE left_at IS NOT NULL AND left_at >= $1 AND left_at < $2 GROUP BY stage`,
      p,
    );
    const funnel = await queryOne<{
      acquire: number;
      activate: number;
      retain: number;
      convert: number;
      refer: number;
    }>(
      this.dataSource,
      `WITH ${m},
       cohort AS (SELECT c.customer_id FROM customers c JOIN m USING (customer_id)
          WHERE c.relationship_started_at >= $1 AND c.relationship_started_at < $2),
       bought AS (SELECT k.customer_id, count(DISTINCT p.order_id)::int AS orders,
              count(DISTINCT cat)::int AS categories
         FROM cohort k JOIN net_purchases p ON p.customer_id = k.customer_id AND p.occurred_at < $2
         CROSS JOIN LATERAL jsonb_object_keys(p.category_amounts) cat GROUP BY k.customer_id)
       SELECT (SELECT count(*) FROM cohort)::int AS acquire,
              (SELECT count(*) FROM bought WHERE orders >= 1)::int AS activate,
              (SELECT count(*) FROM bought WHERE orders >= 2)::int AS retain,
              (SELECT count(*) FROM bought WHERE orders >= 2 AND categories >= 2)::int AS convert,
              (SELECT count(DISTINCT r.referrer_id) FROM referral_facts r JOIN cohort k ON k.customer_id = r.referrer_id
                WHERE r.attributed_at < $2)::int AS refer`,
      p,
    );
    const steps = ['acquire', 'activate', 'retain', 'convert', 'refer'] as const;
    return {
      segment,
      from: from.toISOString(),
      to: to.toISOString(),
      transitions: transitions.map((t) => ({
        from: t.prev,
        to: t.stage,
        customers: t.customers,
        reactivations: t.reactivations,
      })),
      conversion,
      timeInStage: STAGE_ORDER.map((stage) => {
        const row = time.find((t) => t.stage === stage);
        return {
          stage,
          stays: row?.stays ?? 0,
          medianDays: row?.median ?? null,
          meanDays: row?.mean ?? null,
        };
      }),
      funnel: steps.map((step, i) => ({
        step,
        customers: funnel?.[step] ?? 0,
        fromPrevious: i === 0 ? null : ratio(funnel?.[step] ?? 0, funnel?.[steps[i - 1]] ?? 0),
      })),
    };
  }
}
