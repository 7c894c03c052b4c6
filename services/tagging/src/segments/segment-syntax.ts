import { COMPARATORS, SegmentExpressionError, tokenize, type Comparator, type Token } from './segment-tokens';

/**
 * The segment condition language, parsed into a small syntax tree:
 *
 *   expression := or ;  or := and ("or" and)* ;  and := not ("and" not)* ;  not := "not" not | primary
 *   primary    := "(" expression ")" | operand comparator value | has_tag(text) | bought(text [, window])
 *   operand    := field | purchases(window) | spend(window) | nps(window) | csat(window)
 *   window     := a whole number of days or months: 90d, 6m (at most 10 years)
 *   comparator := = != < <= > >=          value := a finite number or a 'quoted text'
 *
 * Names are looked up in fixed tables (never through an object's prototype); every number is finite and
 * every window bounded, so whatever parses can be emitted as SQL that runs.
 */
export type FieldKind = 'number' | 'text';

export const FIELDS: ReadonlyMap<string, FieldKind> = new Map<string, FieldKind>([
  ['spend_12m', 'number'],
  ['purchases_12m', 'number'],
  ['lifetime_purchases', 'number'],
  ['days_since_last_purchase', 'number'],
  ['relationship_months', 'number'],
  ['churn_risk', 'number'],
  ['recency', 'number'],
  ['frequency', 'number'],
  ['monetary', 'number'],
  ['value_tier', 'text'],
  ['value_loyalty_segment', 'text'],
  ['membership_level', 'text'],
  ['lifecycle_stage', 'text'],
  ['industry', 'text'],
]);

export const WINDOW_FUNCTIONS = ['purchases', 'spend', 'nps', 'csat'] as const;
export type WindowFunction = (typeof WINDOW_FUNCTIONS)[number];

/** The largest window, in days (months count as 31 days here). */
export const MAX_WINDOW_DAYS = 3660;
/** Numbers beyond this magnitude are refused: they carry no meaning for a customer and overflow SQL types. */
export const MAX_NUMBER = 1e15;

export interface Window {
  amount: number;
  unit: 'd' | 'm';
}

export type Operand =
  { kind: 'field'; name: string } | { kind: 'function'; name: WindowFunction; window: Window };

export type SegmentNode =
  | { kind: 'or' | 'and'; left: SegmentNode; right: SegmentNode }
  | { kind: 'not'; operand: SegmentNode }
  | { kind: 'compare'; operand: Operand; op: Comparator; value: number | string; text: string }
  | { kind: 'has_tag'; tag: string; text: string }
  | { kind: 'bought'; category: string; window?: Window; text: string };

const isWindowFunction = (name: string): name is WindowFunction =>
  (WINDOW_FUNCTIONS as readonly string[]).includes(name);
const isComparator = (value: string): value is Comparator =>
  (COMPARATORS as readonly string[]).includes(value);

/** Parses an expression; throws SegmentExpressionError naming the 1-based position of the problem. */
export function parseSegment(source: string): SegmentNode {
  if (source.trim() === '') throw new SegmentExpressionError(1, 'the expression is empty');
  const tokens = tokenize(source);
  let at = 0;
  const peek = (): Token => tokens[at];
  const next = (): Token => tokens[Math.min(at++, tokens.length - 1)];
  const describe = (token: Token) => (token.type === 'end' ? ', found the end' : `, found "${token.value}"`);
  const fail = (token: Token, reason: string): never => {
    throw new SegmentExpressionError(token.position, reason);
  };
  const expect = (type: Token['type'], value: string | undefined, what: string): Token => {
    const token = next();
    if (token.type !== type || (value !== undefined && token.value !== value))
      fail(token, `expected ${what}${describe(token)}`);
    return token;
  };
  const isWord = (value: string) => peek().type === 'word' && peek().value === value;
  const textOf = (start: Token, end: Token) => source.slice(start.position - 1, end.end);

  const window = (): Window => {
    const token = next();
    const amount = Number(token.value.slice(0, -1));
    const unit = token.value.endsWith('m') ? 'm' : 'd';
    if (token.type !== 'window' || !Number.isInteger(amount) || amount <= 0)
      fail(token, `expected a window such as 90d or 6m${describe(token)}`);
    if ((unit === 'm' ? amount * 31 : amount) > MAX_WINDOW_DAYS)
      fail(token, `a window can be at most ${MAX_WINDOW_DAYS} days (120 months)`);
    return { amount, unit };
  };

  const predicate = (): SegmentNode => {
    const start = peek();
    if (start.type !== 'word') fail(start, `expected a condition${describe(start)}`);
    next();
    if (start.value === 'has_tag' || start.value === 'bought') {
      expect('punct', '(', '"("');
      const text = expect('text', undefined, 'a quoted text').value;
      let within: Window | undefined;
      if (start.value === 'bought' && peek().type === 'punct' && peek().value === ',') {
        next();
        within = window();
      }
      const close = expect('punct', ')', '")"');
      return start.value === 'has_tag'
        ? { kind: 'has_tag', tag: text, text: textOf(start, close) }
        : { kind: 'bought', category: text, window: within, text: textOf(start, close) };
    }
    let operand: Operand;
    let kind: FieldKind;
    if (isWindowFunction(start.value)) {
      expect('punct', '(', '"("');
      const w = window();
      expect('punct', ')', '")"');
      operand = { kind: 'function', name: start.value, window: w };
      kind = 'number';
    } else {
      const fieldKind = FIELDS.get(start.value);
      if (!fieldKind)
        return fail(
          start,
          `unknown field or function "${start.value}" (fields: ${[...FIELDS.keys()].join(', ')}; functions: ${[...WINDOW_FUNCTIONS, 'has_tag', 'bought'].join(', ')})`,
        );
      operand = { kind: 'field', name: start.value };
      kind = fieldKind;
    }
    const op = next();
    if (op.type !== 'op' || !isComparator(op.value))
      return fail(op, `expected a comparison operator${describe(op)}`);
    const valueToken = next();
    let value: number | string;
    if (kind === 'number') {
      value = Number(valueToken.value);
      if (valueToken.type !== 'number' || !Number.isFinite(value))
        fail(valueToken, `expected a number${describe(valueToken)}`);
      if (Math.abs(value) > MAX_NUMBER) fail(valueToken, `a number can be at most ${MAX_NUMBER} in size`);
    } else {
      if (valueToken.type !== 'text') fail(valueToken, `expected a 'quoted text'${describe(valueToken)}`);
      if (op.value !== '=' && op.value !== '!=') fail(op, `text can only be compared with = or !=`);
      value = valueToken.value;
    }
    return { kind: 'compare', operand, op: op.value, value, text: textOf(start, valueToken) };
  };

  const primary = (): SegmentNode => {
    if (peek().type === 'punct' && peek().value === '(') {
      next();
      const inner = or();
      expect('punct', ')', '")"');
      return inner;
    }
    return predicate();
  };
  const not = (): SegmentNode => {
    if (!isWord('not')) return primary();
    next();
    return { kind: 'not', operand: not() };
  };
  /** A left-associative chain of `operand (keyword operand)*`. */
  const chain = (keyword: 'and' | 'or', operand: () => SegmentNode) => (): SegmentNode => {
    let node = operand();
    while (isWord(keyword)) {
      next();
      node = { kind: keyword, left: node, right: operand() };
    }
    return node;
  };
  const and = chain('and', not);
  const or = chain('or', and);
  const tree = or();
  const rest = peek();
  if (rest.type !== 'end')
    fail(
      rest,
      ['and', 'or', 'not'].includes(rest.value)
        ? `unexpected "${rest.value}"`
        : `expected "and", "or" or the end${describe(rest)}`,
    );
  return tree;
}
