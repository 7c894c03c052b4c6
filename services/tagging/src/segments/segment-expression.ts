import type { ScoringRuleSet } from '../scoring/rule-set';
import { emitSegmentSql, type CompiledSegment } from './segment-sql';
import { parseSegment } from './segment-syntax';

export { SegmentExpressionError } from './segment-tokens';
export type { CompiledSegment, Condition } from './segment-sql';

/**
 * The segment condition language (grammar in `segment-syntax.ts`), compiled to SQL over tagging's read model
 * at an as-of date ($1): tokens → syntax tree → SQL. Throws SegmentExpressionError naming the 1-based
 * position of the problem. A condition on an unknown value (no purchase, no answer) is false.
 */
export function compileSegment(source: string, rules: ScoringRuleSet): CompiledSegment {
  return emitSegmentSql(parseSegment(source), rules);
}
