import { invalid } from '@crm/service-kit';

/**
 * The handbook's core metrics (§7), each defined once: here, in code, with the text the API and the docs
 * show. Every metric is computed for a group of customers (today's members of a segment, or everyone) over a
 * period [from, to), from tagging's facts (purchases, survey answers, stage history, the customer's own
 * contacts, tickets, referrals, acquisition). The SQL reads the members as the CTE `m (customer_id)` and the
 * period as $1 (from) and $2 (to).
 */
export interface MetricDefinition {
  id: string;
  name: string;
  unit: 'score' | 'ratio' | 'minutes' | 'money' | 'nps';
  /** The handbook's target, where it sets one (`>=` unless `lower` is true). */
  target?: number;
  lower?: boolean;
  definition: string;
  /** A statement answering `value float8, sample int` (and `grp text` for a breakdown). */
  sql: (ctx: { declineMonths: number }) => string;
  breakdown?: 'tier' | 'channel';
}

const ratio = (part: string, whole: string) =>
  `CASE WHEN (${whole}) = 0 THEN NULL ELSE round((${part})::numeric / (${whole}), 4)::float8 END`;

/** The contact cadence of each value tier (the handbook's maintenance calendar, §4), in touches per month. */
export const TIER_CADENCE_PER_MONTH: Record<string, number> = {
  'high-value': 1,
  potential: 1,
  stable: 1 / 3,
  silent: 1 / 3,
};

const DAYS_PER_MONTH = 30.4375;

export const METRICS: readonly MetricDefinition[] = [
  {
    id: 'satisfaction',
    name: 'Satisfaction (CSAT mean)',
    unit: 'score',
    definition: 'The mean of the CSAT answers (1-5) the members gave in the period.',
    sql: () => `SELECT round(avg(f.score)::numeric, 2)::float8 AS value, count(*)::int AS sample
      FROM satisfaction_facts f JOIN m USING (customer_id) WHERE f.kind = 'csat' AND f.answered_at >= $1 AND f.answered_at < $2`,
  },
  {
    id: 'nps',
    name: 'NPS',
    unit: 'nps',
    definition:
      "Promoters (9-10) minus detractors (0-6) per 100 members who answered, from each member's latest NPS answer in the period.",
    sql: () => `WITH l AS (SELECT DISTINCT ON (f.customer_id) f.score FROM satisfaction_facts f JOIN m USING (customer_id)
       WHERE f.kind = 'nps' AND f.answered_at >= $1 AND f.answered_at < $2 ORDER BY f.customer_id, f.answered_at DESC)
      SELECT CASE WHEN count(*) = 0 THEN NULL ELSE round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*), 1)::float8 END AS value,
             count(*)::int AS sample FROM l`,
  },
  {
    id: 'repurchase-rate',
    name: 'Repurchase rate',
    unit: 'ratio',
    definition: 'Of the members who bought in the period, the share who bought at least twice in it.',
    sql: () => `WITH b AS (SELECT p.customer_id, count(*) AS n FROM net_purchases p JOIN m USING (customer_id)
       WHERE p.occurred_at >= $1 AND p.occurred_at < $2 GROUP BY p.customer_id)
      SELECT ${ratio('count(*) FILTER (WHERE n >= 2)', 'count(*)')} AS value, count(*)::int AS sample FROM b`,
  },
  {
    id: 'churn-rate',
    name: 'Churn rate',
    unit: 'ratio',
    lower: true,
    definition:
      'Of the members active at the start (a purchase in the decline window, 6 months, before it), the share with no purchase in the decline window before the end.',
    sql: ({ declineMonths }) => `WITH a AS (SELECT p.customer_id,
         bool_or(p.occurred_at > $1::timestamptz - make_interval(months => ${declineMonths}) AND p.occurred_at <= $1) AS active,
         bool_or(p.occurred_at > $2::timestamptz - make_interval(months => ${declineMonths}) AND p.occurred_at <= $2) AS still
       FROM net_purchases p JOIN m USING (customer_id) GROUP BY p.customer_id)
      SELECT ${ratio('count(*) FILTER (WHERE active AND NOT still)', 'count(*) FILTER (WHERE active)')} AS value,
             count(*) FILTER (WHERE active)::int AS sample FROM a`,
  },
  {
    id: 'retention',
    name: 'Retention',
    unit: 'ratio',
    definition:
      'Of the members who bought in the 12 months before the start, the share who bought again in the period.',
    sql: () => `WITH a AS (SELECT p.customer_id,
         bool_or(p.occurred_at >= $1::timestamptz - interval '12 months' AND p.occurred_at < $1) AS before,
         bool_or(p.occurred_at >= $1 AND p.occurred_at < $2) AS during
       FROM net_purchases p JOIN m USING (customer_id) GROUP BY p.customer_id)
      SELECT ${ratio('count(*) FILTER (WHERE before AND during)', 'count(*) FILTER (WHERE before)')} AS value,
             count(*) FILTER (WHERE before)::int AS sample FROM a`,
  },
  {
    id: 'activation-rate',
    name: 'Activation of sleeping customers',
    unit: 'ratio',
    target: 0.3,
    definition:
      'Of the members in decline or churned at the start (their stage history), the share reactivated (back to an active stage) in the period.',
    sql: () => `WITH st AS (SELECT DISTINCT ON (h.customer_id) h.customer_id, h.stage FROM stage_history h JOIN m USING (customer_id)
       WHERE h.changed_at < $1 ORDER BY h.customer_id, h.changed_at DESC, h.id DESC),
      sleeping AS (SELECT customer_id FROM st WHERE stage IN ('decline', 'churned'))
      SELECT ${ratio(
        `count(*) FILTER (WHERE EXISTS (SELECT 1 FROM stage_history r WHERE r.customer_id = s.customer_id AND r.reactivated
           AND r.changed_at >= $1 AND r.changed_at < $2))`,
        'count(*)',
      )} AS value, count(*)::int AS sample FROM sleeping s`,
  },
  {
    id: 'interaction-frequency',
    name: 'Interaction frequency against the cadence',
    unit: 'ratio',
    target: 1,
    breakdown: 'tier',
    definition:
      "The share of members whose own logged contacts per month in the period meet their value tier's cadence (high-value and potential monthly, stable and silent quarterly); per tier, the contacts per member per month beside the cadence.",
    sql: () => `SELECT s.value_tier AS grp, count(*)::int AS sample,
        coalesce(sum(n), 0)::float8 AS value,
        count(*) FILTER (WHERE n / greatest(extract(epoch FROM $2::timestamptz - $1::timestamptz) / 86400 / ${DAYS_PER_MONTH}, 0.0001)
          >= CASE s.value_tier ${Object.entries(TIER_CADENCE_PER_MONTH)
            .map(([tier, perMonth]) => `WHEN '${tier}' THEN ${perMonth}`)
            .join(' ')} ELSE 0 END)::int AS meeting
      FROM m JOIN customer_scores s USING (customer_id)
      CROSS JOIN LATERAL (SELECT count(*)::float8 AS n FROM interaction_facts i WHERE i.customer_id = m.customer_id
        AND i.occurred_at >= $1 AND i.occurred_at < $2) c
      GROUP BY s.value_tier ORDER BY s.value_tier`,
  },
  {
    id: 'first-response-minutes',
    name: 'Average first-response time',
    unit: 'minutes',
    lower: true,
    definition:
      "The mean minutes from opening to first response of the members' tickets opened in the period and answered.",
    sql: () => `SELECT round(avg(extract(epoch FROM t.first_responded_at - t.opened_at) / 60)::numeric, 1)::float8 AS value,
             count(*)::int AS sample
      FROM ticket_facts t JOIN m USING (customer_id)
      WHERE t.opened_at >= $1 AND t.opened_at < $2 AND t.first_responded_at IS NOT NULL AND t.first_responded_at < $2`,
  },
  {
    id: 'resolution-rate',
    name: 'Resolution rate',
    unit: 'ratio',
    target: 0.95,
    definition: "Of the members' tickets opened in the period, the share resolved before its end.",
    sql: () => `SELECT ${ratio('count(*) FILTER (WHERE t.resolved_at IS NOT NULL AND t.resolved_at < $2)', 'count(*)')} AS value,
             count(*)::int AS sample
      FROM ticket_facts t JOIN m USING (customer_id) WHERE t.opened_at >= $1 AND t.opened_at < $2`,
  },
  {
    id: 'referral-success-rate',
    name: 'Referral success rate',
    unit: 'ratio',
    target: 0.2,
    definition:
      "Of the referrals the members made in the period (a referee signed up with the member's code), the share that qualified (the referee's qualifying purchase) before its end.",
    sql: () => `SELECT ${ratio('count(*) FILTER (WHERE r.qualified_at IS NOT NULL AND r.qualified_at < $2)', 'count(*)')} AS value,
             count(*)::int AS sample
      FROM referral_facts r JOIN m ON m.customer_id = r.referrer_id WHERE r.attributed_at >= $1 AND r.attributed_at < $2`,
  },
  {
    id: 'referred-retention-30d',
    name: '30-day retention of referred customers',
    unit: 'ratio',
    target: 0.4,
    definition:
      'Of the members referred in the period at least 30 days before its end, the share still active 30 days on: a purchase or a contact of their own on or after day 30 after the referral, before the end.',
    sql: () => `SELECT ${ratio(
      `count(*) FILTER (WHERE EXISTS (SELECT 1 FROM net_purchases p WHERE p.customer_id = r.referee_id
          AND p.occurred_at >= r.attributed_at + interval '30 days' AND p.occurred_at < $2)
        OR EXISTS (SELECT 1 FROM interaction_facts i WHERE i.customer_id = r.referee_id
          AND i.occurred_at >= r.attributed_at + interval '30 days' AND i.occurred_at < $2))`,
      'count(*)',
    )} AS value, count(*)::int AS sample
      FROM referral_facts r JOIN m ON m.customer_id = r.referee_id
      WHERE r.attributed_at >= $1 AND r.attributed_at < $2 AND r.attributed_at <= $2::timestamptz - interval '30 days'`,
  },
  {
    id: 'ltv',
    name: 'LTV',
    unit: 'money',
    definition: 'The mean spend of the members who ever bought, over their whole relationship up to the end.',
    sql: () => `SELECT round(avg(total)::numeric, 2)::float8 AS value, count(*)::int AS sample FROM (
        SELECT p.customer_id, sum(p.amount) AS total FROM net_purchases p JOIN m USING (customer_id)
         WHERE p.occurred_at < $2 GROUP BY p.customer_id) x WHERE $1::timestamptz IS NOT NULL`,
  },
  {
    id: 'arpu',
    name: 'ARPU',
    unit: 'money',
    definition: "The members' spend in the period divided by the number of members.",
    sql: () => `SELECT CASE WHEN (SELECT count(*) FROM m) = 0 THEN NULL ELSE round(
          (SELECT coalesce(sum(p.amount), 0) FROM net_purchases p JOIN m USING (customer_id)
            WHERE p.occurred_at >= $1 AND p.occurred_at < $2)::numeric / (SELECT count(*) FROM m), 2)::float8 END AS value,
        (SELECT count(*) FROM m)::int AS sample`,
  },
  {
    id: 'cross-sell-rate',
    name: 'Cross-sell rate',
    unit: 'ratio',
    definition:
      'Of the members who had bought before the period and bought in it, the share who bought a category in it they had never bought before.',
    sql: () => `WITH before AS (SELECT p.customer_id, array_agg(DISTINCT k) AS cats FROM net_purchases p JOIN m USING (customer_id)
         CROSS JOIN LATERAL jsonb_object_keys(p.category_amounts) k WHERE p.occurred_at < $1 GROUP BY p.customer_id),
      during AS (SELECT p.customer_id, array_agg(DISTINCT k) AS cats FROM net_purchases p JOIN m USING (customer_id)
         CROSS JOIN LATERAL jsonb_object_keys(p.category_amounts) k WHERE p.occurred_at >= $1 AND p.occurred_at < $2 GROUP BY p.customer_id)
      SELECT ${ratio('count(*) FILTER (WHERE NOT d.cats <@ b.cats)', 'count(*)')} AS value, count(*)::int AS sample
        FROM during d JOIN before b USING (customer_id)`,
  },
  {
    id: 'channel-roi',
    name: 'Channel ROI',
    unit: 'ratio',
    target: 2,
    breakdown: 'channel',
    definition:
      'For the members acquired in the period (relationship start) through a channel with a cost: their spend up to the end divided by what acquiring them cost; per channel, and a channel under 2 (the handbook: below 1:2 is dropped) is marked.',
    sql: () => `SELECT c.acquisition_channel AS grp, count(*)::int AS sample,
        coalesce(sum((SELECT coalesce(sum(p.amount), 0) FROM net_purchases p WHERE p.customer_id = c.customer_id AND p.occurred_at < $2)), 0)::float8 AS value,
        coalesce(sum(c.acquisition_cost), 0)::float8 AS meeting
      FROM customers c JOIN m USING (customer_id)
      WHERE c.acquisition_channel IS NOT NULL AND c.acquisition_cost > 0
        AND c.relationship_started_at >= $1 AND c.relationship_started_at < $2
      GROUP BY c.acquisition_channel ORDER BY c.acquisition_channel`,
  },
];

export function metricDefinition(id: string, field = 'metric'): MetricDefinition {
  const metric = METRICS.find((m) => m.id === id);
  if (!metric) throw invalid(field, `must be one of ${METRICS.map((m) => m.id).join(', ')}`);
  return metric;
}

/** A group of customers: everyone, or today's members of a tier, value-loyalty segment, stage or custom segment. */
export const SEGMENT_PATTERN =
  /^(all|tier:[a-z-]{1,32}|value-loyalty:[a-z-]{1,32}|stage:[a-z-]{1,32}|segment:[a-z0-9][a-z0-9-]{0,63})$/;

export function membersSql(segment: string, field = 'segment'): { sql: string; parameter: string | null } {
  if (!SEGMENT_PATTERN.test(segment))
    throw invalid(
      field,
      'must be all, tier:<tier>, value-loyalty:<segment>, stage:<stage> or segment:<custom segment id>',
    );
  if (segment === 'all')
    return { sql: 'SELECT customer_id FROM customers WHERE registered', parameter: null };
  const [kind, value] = segment.split(':');
  if (kind === 'segment')
    return { sql: 'SELECT customer_id FROM segment_members WHERE segment_id = $3', parameter: value };
  const column = { tier: 'value_tier', 'value-loyalty': 'value_loyalty_segment', stage: 'lifecycle_stage' }[
    kind
  ]!;
  return {
    sql: `SELECT s.customer_id FROM customer_scores s JOIN customers c USING (customer_id) WHERE c.registered AND s.${column} = $3`,
    parameter: value,
  };
}
