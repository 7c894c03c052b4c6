import { churnModel, churnRiskSql, interactionCountSql } from '../scoring/churn-risk';
import type { ScoringRuleSet } from '../scoring/rule-set';
import type { Operand, SegmentNode, Window } from './segment-syntax';

export interface Condition {
  /** The condition as written. */
  text: string;
  /** SQL that is true when the condition holds. */
  sql: string;
  /** SQL for the fact the condition looks at (shown by "why"). */
  factSql: string;
}

export interface CompiledSegment {
  /** A boolean SQL expression over `customers c LEFT JOIN customer_scores s`, at the as-of date `$1`. */
  sql: string;
  conditions: Condition[];
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
const intervalOf = (w: Window) => `interval '${w.amount} ${w.unit === 'm' ? 'months' : 'days'}'`;
const numberLiteral = (n: number) => `${Number.isInteger(n) ? String(n) : n.toPrecision(17)}::float8`;

/**
 * Emits SQL for a parsed segment. Every statement a segment takes part in binds the as-of date as `$1`, so
 * the emitted SQL always uses `$1` (typed), whether or not a condition looks at time.
 */
export function emitSegmentSql(tree: SegmentNode, rules: ScoringRuleSet): CompiledSegment {
  const conditions: Condition[] = [];
  const windowed = (w: Window) =>
    `p.customer_id = c.customer_id AND p.occurred_at <= $1 AND p.occurred_at > $1::timestamptz - ${intervalOf(w)}`;
  const twelveMonths: Window = { amount: 12, unit: 'm' };
  const lastPurchase = `(SELECT max(p.occurred_at) FROM net_purchases p WHERE p.customer_id = c.customer_id AND p.occurred_at <= $1)`;
  const ownMeanInterval = `CASE WHEN s.lifetime_purchases >= 2 THEN extract(epoch FROM s.last_purchase_at - s.first_purchase_at) / 86400 / (s.lifetime_purchases - 1) END`;
  const latestScore = (kind: 'nps' | 'csat', w: Window) =>
    `(SELECT f.score FROM satisfaction_facts f WHERE f.customer_id = c.customer_id AND f.kind = '${kind}' AND f.answered_at <= $1
        AND f.answered_at > $1::timestamptz - ${intervalOf(w)} ORDER BY f.answered_at DESC LIMIT 1)`;
  const fields = new Map<string, string>([
    [
      'spend_12m',
      `(SELECT coalesce(sum(p.amount), 0)::float8 FROM net_purchases p WHERE ${windowed(twelveMonths)})`,
    ],
    ['purchases_12m', `(SELECT count(*)::int FROM net_purchases p WHERE ${windowed(twelveMonths)})`],
    [
      'lifetime_purchases',
      `(SELECT count(*)::int FROM net_purchases p WHERE p.customer_id = c.customer_id AND p.occurred_at <= $1)`,
    ],
    ['days_since_last_purchase', `floor(extract(epoch FROM $1::timestamptz - ${lastPurchase}) / 86400)::int`],
    [
      'relationship_months',
      `(extract(year FROM age($1::timestamptz, c.relationship_started_at)) * 12 + extract(month FROM age($1::timestamptz, c.relationship_started_at)))::int`,
    ],
    [
      'churn_risk',
      churnRiskSql(
        churnModel(rules),
        `extract(epoch FROM $1::timestamptz - s.last_purchase_at) / 86400`,
        ownMeanInterval,
        interactionCountSql(churnModel(rules), 'recent'),
        interactionCountSql(churnModel(rules), 'before'),
      ),
    ],
    ['recency', 's.recency'],
    ['frequency', 's.frequency'],
    ['monetary', 's.monetary'],
    ['value_tier', 's.value_tier'],
    ['value_loyalty_segment', 's.value_loyalty_segment'],
    ['membership_level', 's.membership_level'],
    ['lifecycle_stage', 's.lifecycle_stage'],
    ['industry', 'c.industry'],
  ]);
  const operandSql = (operand: Operand): string => {
    if (operand.kind === 'field') {
      const sql = fields.get(operand.name);
      if (!sql) throw new Error(`no SQL for field ${operand.name}`);
      return sql;
    }
    switch (operand.name) {
      case 'purchases':
        return `(SELECT count(*)::int FROM net_purchases p WHERE ${windowed(operand.window)})`;
      case 'spend':
        return `(SELECT coalesce(sum(p.amount), 0)::float8 FROM net_purchases p WHERE ${windowed(operand.window)})`;
      case 'nps':
      case 'csat':
        return latestScore(operand.name, operand.window);
    }
  };
  const emit = (node: SegmentNode): string => {
    switch (node.kind) {
      case 'or':
        return `(${emit(node.left)}) OR (${emit(node.right)})`;
      case 'and':
        return `(${emit(node.left)}) AND (${emit(node.right)})`;
      case 'not':
        return `NOT (${emit(node.operand)})`;
      case 'has_tag': {
        const sql = `coalesce(${quote(node.tag)} = ANY(s.tags), false)`;
        conditions.push({ text: node.text, sql, factSql: sql });
        return sql;
      }
      case 'bought': {
        const scope = node.window
          ? windowed(node.window)
          : 'p.customer_id = c.customer_id AND p.occurred_at <= $1';
        const sql = `EXISTS (SELECT 1 FROM net_purchases p WHERE ${scope} AND p.category_amounts ? ${quote(node.category)})`;
        conditions.push({ text: node.text, sql, factSql: sql });
        return sql;
      }
      case 'compare': {
        const fact = operandSql(node.operand);
        const literal = typeof node.value === 'number' ? numberLiteral(node.value) : quote(node.value);
        const sql = `coalesce(${fact} ${node.op === '!=' ? '<>' : node.op} ${literal}, false)`;
        conditions.push({ text: node.text, sql, factSql: fact });
        return sql;
      }
    }
  };
  const body = emit(tree);
  return { sql: `($1::timestamptz IS NOT NULL AND (${body}))`, conditions };
}
