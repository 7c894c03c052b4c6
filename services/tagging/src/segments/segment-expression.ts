import type { ScoringRuleSet } from '../scoring/rule-set';

/**
 * The segment condition language, compiled to SQL over tagging's read model at an as-of date ($1).
 *
 *   expression := or ;  or := and ("or" and)* ;  and := not ("and" not)* ;  not := "not" not | primary
 *   primary    := "(" expression ")" | operand comparator value | has_tag(text) | bought(text [, window])
 *   operand    := field | purchases(window) | spend(window) | nps(window) | csat(window)
 *   window     := a number of days or months: 90d, 6m
 *   comparator := = != < <= > >=          value := a number or a 'quoted text'
 *
 * Fields: spend_12m, purchases_12m, lifetime_purchases, days_since_last_purchase, relationship_months,
 * churn_risk, recency, frequency, monetary (numbers); value_tier, value_loyalty_segment, membership_level,
 * lifecycle_stage, industry (text). nps(30d) / csat(30d) is the latest answer in the window. A condition on
 * an unknown value (no purchase, no answer) is false.
 */
export class SegmentExpressionError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`at position ${position}: ${reason}`);
  }
}

type Kind = 'number' | 'text';

export interface Condition {
  /** The condition as written. */
  text: string;
  /** SQL that is true when the condition holds. */
  sql: string;
  /** SQL for the fact the condition looks at (shown by "why"). */
  factSql: string;
}

export interface CompiledSegment {
  sql: string;
  conditions: Condition[];
}

interface Token {
  type: 'word' | 'number' | 'text' | 'op' | 'punct' | 'window' | 'end';
  value: string;
  /** 1-based position of the first character. */
  position: number;
  /** 0-based index just past the last character. */
  end?: number;
}

const COMPARATORS = ['=', '!=', '<', '<=', '>', '>='];
const KEYWORDS = ['and', 'or', 'not'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new SegmentExpressionError(start + 1, 'a quoted text is never closed');
        if (source[i] === c && source[i + 1] === c) {
          value += c;
          i += 2;
        } else if (source[i] === c) break;
        else value += source[i++];
      }
      i++;
      tokens.push({ type: 'text', value, position: start + 1 });
    } else if (/\d/.test(c)) {
      while (i < source.length && /[\d.]/.test(source[i])) i++;
      if (i < source.length && /[dm]/.test(source[i]) && !/[a-z_]/i.test(source[i + 1] ?? '')) {
        i++;
        tokens.push({ type: 'window', value: source.slice(start, i), position: start + 1 });
      } else tokens.push({ type: 'number', value: source.slice(start, i), position: start + 1 });
    } else if (/[a-z_]/i.test(c)) {
      while (i < source.length && /[a-z0-9_]/i.test(source[i])) i++;
      tokens.push({ type: 'word', value: source.slice(start, i).toLowerCase(), position: start + 1 });
    } else if (/[<>!=]/.test(c)) {
      const two = source.slice(i, i + 2);
      const op = COMPARATORS.includes(two) ? two : /^[<>!=]{2}$/.test(two) ? two : c;
      if (!COMPARATORS.includes(op)) throw new SegmentExpressionError(start + 1, `unknown operator "${op}"`);
      i += op.length;
      tokens.push({ type: 'op', value: op, position: start + 1 });
    } else if (c === '(' || c === ')' || c === ',') {
      i++;
      tokens.push({ type: 'punct', value: c, position: start + 1 });
    } else throw new SegmentExpressionError(start + 1, `unexpected character "${c}"`);
    tokens[tokens.length - 1].end = i;
  }
  tokens.push({ type: 'end', value: '', position: source.length + 1, end: source.length });
  return tokens;
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
const daysOf = (window: string) => {
  const n = Number(window.slice(0, -1));
  return window.endsWith('m') ? `${n} months` : `${n} days`;
};

/** Compiles an expression; throws SegmentExpressionError naming the 1-based position of the problem. */
export function compileSegment(source: string, rules: ScoringRuleSet): CompiledSegment {
  if (source.trim() === '') throw new SegmentExpressionError(1, 'the expression is empty');
  const tokens = tokenize(source);
  const conditions: Condition[] = [];
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[at++];
  const expect = (type: Token['type'], value: string | undefined, what: string) => {
    const token = next();
    if (token.type !== type || (value !== undefined && token.value !== value))
      throw new SegmentExpressionError(token.position, `expected ${what}${describe(token)}`);
    return token;
  };
  const describe = (token: Token) => (token.type === 'end' ? ', found the end' : `, found "${token.value}"`);
  const isWord = (value: string) => peek().type === 'word' && peek().value === value;

  const lastPurchase = `(SELECT max(p.occurred_at) FROM purchase_facts p WHERE p.customer_id = c.customer_id AND p.occurred_at <= $1)`;
  const windowed = (window: string) =>
    `p.customer_id = c.customer_id AND p.occurred_at <= $1 AND p.occurred_at > $1::timestamptz - interval '${daysOf(window)}'`;
  const interval = `CASE WHEN s.lifetime_purchases >= 2 AND extract(epoch FROM s.last_purchase_at - s.first_purchase_at) / 86400 / (s.lifetime_purchases - 1) >= ${rules.lifecycle.minIntervalDays}
      THEN extract(epoch FROM s.last_purchase_at - s.first_purchase_at) / 86400 / (s.lifetime_purchases - 1) ELSE ${rules.prediction.newCustomerIntervalDays} END`;
  const lateAt = rules.lifecycle.declineAfterIntervals ?? 3;
  const fields: Record<string, { sql: string; kind: Kind }> = {
    spend_12m: {
      sql: `(SELECT coalesce(sum(p.amount), 0)::float8 FROM purchase_facts p WHERE ${windowed('12m')})`,
      kind: 'number',
    },
    purchases_12m: {
      sql: `(SELECT count(*)::int FROM purchase_facts p WHERE ${windowed('12m')})`,
      kind: 'number',
    },
    lifetime_purchases: {
      sql: `(SELECT count(*)::int FROM purchase_facts p WHERE p.customer_id = c.customer_id AND p.occurred_at <= $1)`,
      kind: 'number',
    },
    days_since_last_purchase: {
      sql: `floor(extract(epoch FROM $1::timestamptz - ${lastPurchase}) / 86400)::int`,
      kind: 'number',
    },
    relationship_months: {
      sql: `(extract(year FROM age($1::timestamptz, c.relationship_started_at)) * 12 + extract(month FROM age($1::timestamptz, c.relationship_started_at)))::int`,
      kind: 'number',
    },
    churn_risk: {
      sql: `round(least(1, greatest(0, (extract(epoch FROM $1::timestamptz - s.last_purchase_at) / 86400 / (${interval}) - 1) / ${lateAt - 1}))::numeric, 2)::float8`,
      kind: 'number',
    },
    recency: { sql: 's.recency', kind: 'number' },
    frequency: { sql: 's.frequency', kind: 'number' },
    monetary: { sql: 's.monetary', kind: 'number' },
    value_tier: { sql: 's.value_tier', kind: 'text' },
    value_loyalty_segment: { sql: 's.value_loyalty_segment', kind: 'text' },
    membership_level: { sql: 's.membership_level', kind: 'text' },
    lifecycle_stage: { sql: 's.lifecycle_stage', kind: 'text' },
    industry: { sql: 'c.industry', kind: 'text' },
  };
  const functions: Record<string, (window: string) => string> = {
    purchases: (w) => `(SELECT count(*)::int FROM purchase_facts p WHERE ${windowed(w)})`,
    spend: (w) => `(SELECT coalesce(sum(p.amount), 0)::float8 FROM purchase_facts p WHERE ${windowed(w)})`,
    nps: (w) => latestScore('nps', w),
    csat: (w) => latestScore('csat', w),
  };
  const latestScore = (kind: string, w: string) =>
    `(SELECT f.score FROM satisfaction_facts f WHERE f.customer_id = c.customer_id AND f.kind = '${kind}' AND f.answered_at <= $1
        AND f.answered_at > $1::timestamptz - interval '${daysOf(w)}' ORDER BY f.answered_at DESC LIMIT 1)`;

  const windowToken = () => {
    const token = next();
    if (
      token.type !== 'window' ||
      Number(token.value.slice(0, -1)) <= 0 ||
      !Number.isInteger(Number(token.value.slice(0, -1)))
    )
      throw new SegmentExpressionError(
        token.position,
        `expected a window such as 90d or 6m${describe(token)}`,
      );
    return token.value;
  };

  const predicate = (): string => {
    const start = peek();
    if (start.type !== 'word')
      throw new SegmentExpressionError(start.position, `expected a condition${describe(start)}`);
    next();
    let operand: { sql: string; kind: Kind };
    if (start.value === 'has_tag' || start.value === 'bought') {
      expect('punct', '(', '"("');
      const text = expect('text', undefined, 'a quoted text').value;
      let window: string | undefined;
      if (start.value === 'bought' && peek().type === 'punct' && peek().value === ',') {
        next();
        window = windowToken();
      }
      const close = expect('punct', ')', '")"');
      const sql =
        start.value === 'has_tag'
          ? `coalesce(${quote(text)} = ANY(s.tags), false)`
          : `EXISTS (SELECT 1 FROM purchase_facts p WHERE ${window ? windowed(window) : 'p.customer_id = c.customer_id AND p.occurred_at <= $1'} AND p.category_amounts ? ${quote(text)})`;
      conditions.push({ text: source.slice(start.position - 1, close.end), sql, factSql: sql });
      return sql;
    }
    if (functions[start.value]) {
      expect('punct', '(', '"("');
      const window = windowToken();
      expect('punct', ')', '")"');
      operand = { sql: functions[start.value](window), kind: 'number' };
    } else if (fields[start.value]) operand = fields[start.value];
    else
      throw new SegmentExpressionError(
        start.position,
        `unknown field or function "${start.value}" (fields: ${Object.keys(fields).join(', ')}; functions: ${[...Object.keys(functions), 'has_tag', 'bought'].join(', ')})`,
      );
    const op = next();
    if (op.type !== 'op')
      throw new SegmentExpressionError(op.position, `expected a comparison operator${describe(op)}`);
    const value = next();
    let literal: string;
    if (operand.kind === 'number') {
      if (value.type !== 'number' || Number.isNaN(Number(value.value)))
        throw new SegmentExpressionError(value.position, `expected a number${describe(value)}`);
      literal = String(Number(value.value));
    } else {
      if (value.type !== 'text')
        throw new SegmentExpressionError(value.position, `expected a 'quoted text'${describe(value)}`);
      if (!['=', '!='].includes(op.value))
        throw new SegmentExpressionError(op.position, `text can only be compared with = or !=`);
      literal = quote(value.value);
    }
    const sqlOp = op.value === '!=' ? '<>' : op.value;
    const sql = `coalesce(${operand.sql} ${sqlOp} ${literal}, false)`;
    const end = tokens[at - 1];
    conditions.push({
      text: source.slice(start.position - 1, end.end),
      sql,
      factSql: operand.sql,
    });
    return sql;
  };

  const primary = (): string => {
    if (peek().type === 'punct' && peek().value === '(') {
      next();
      const inner = or();
      expect('punct', ')', '")"');
      return `(${inner})`;
    }
    return predicate();
  };
  const not = (): string => {
    if (!isWord('not')) return primary();
    next();
    return `NOT (${not()})`;
  };
  const and = (): string => {
    let sql = not();
    while (isWord('and')) {
      next();
      sql = `${sql} AND ${not()}`;
    }
    return sql;
  };
  const or = (): string => {
    let sql = and();
    while (isWord('or')) {
      next();
      sql = `(${sql}) OR (${and()})`;
    }
    return sql;
  };
  const sql = or();
  const rest = peek();
  if (rest.type !== 'end')
    throw new SegmentExpressionError(
      rest.position,
      KEYWORDS.includes(rest.value)
        ? `unexpected "${rest.value}"`
        : `expected "and", "or" or the end${describe(rest)}`,
    );
  return { sql: `(${sql})`, conditions };
}
