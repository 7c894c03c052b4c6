import fc from 'fast-check';
import { loadScoringRules } from '../scoring/rules.provider';
import { segmentExpression } from './segment-grammar.arbitrary';
import { compileSegment } from './segment-expression';
import { emitSegmentSql } from './segment-sql';
import { parseSegment } from './segment-syntax';
import { SegmentExpressionError, tokenize } from './segment-tokens';

const rules = loadScoringRules();

describe('the segment tokenizer', () => {
  it('marks each token with its 1-based position and end', () => {
    expect(
      tokenize("spend(6m) >= 2.5 and has_tag('a''b')").map((t) => [t.type, t.value, t.position]),
    ).toEqual([
      ['word', 'spend', 1],
      ['punct', '(', 6],
      ['window', '6m', 7],
      ['punct', ')', 9],
      ['op', '>=', 11],
      ['number', '2.5', 14],
      ['word', 'and', 18],
      ['word', 'has_tag', 22],
      ['punct', '(', 29],
      ['text', "a'b", 30],
      ['punct', ')', 36],
      ['end', '', 37],
    ]);
  });
});

describe('the segment parser', () => {
  it('builds a tree where "and" binds tighter than "or"', () => {
    const tree = parseSegment("has_tag('a') or has_tag('b') and not has_tag('c')");
    expect(tree.kind).toBe('or');
    if (tree.kind !== 'or') return;
    expect(tree.right.kind).toBe('and');
  });

  it.each([
    ['constructor(90d) >= 1', '1: unknown field or function "constructor"'],
    ['__proto__ = 1', '1: unknown field or function "__proto__"'],
    ['tostring > 1', '1: unknown field or function "tostring"'],
    [`spend_12m > ${'9'.repeat(310)}`, '13: expected a number'],
    ['spend_12m > 1e999', '14: expected "and", "or" or the end'],
    ['spend_12m > 1.2.3', '13: expected a number'],
    ['spend_12m > 10000000000000000', '13: a number can be at most'],
    ['purchases(99999d) > 1', '11: a window can be at most'],
    ['purchases(121m) > 1', '11: a window can be at most'],
    ['purchases(0d) > 1', '11: expected a window'],
  ])('refuses %p', (source, expected) => {
    let caught: unknown;
    try {
      parseSegment(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SegmentExpressionError);
    const error = caught as SegmentExpressionError;
    expect(`${error.position}: ${error.reason}`.startsWith(expected)).toBe(true);
  });
});

describe('the segment SQL emitter', () => {
  it('always binds the as-of date, also when no condition looks at time', () => {
    for (const source of ["value_tier = 'high-value'", "industry = 'manufacturing'", "has_tag('active')"])
      expect(compileSegment(source, rules).sql).toContain('$1::timestamptz');
  });

  it('emits numbers as typed literals and texts quoted', () => {
    const sql = emitSegmentSql(parseSegment("monetary >= 0.5 and industry != 'x''y'"), rules).sql;
    expect(sql).toContain('0.50000000000000000::float8');
    expect(sql).toContain("s.industry <> 'x''y'".replace('s.', 'c.'));
  });
});

describe('the segment language on generated input', () => {
  it('compiles every expression the grammar generates, listing one condition per predicate', () => {
    fc.assert(
      fc.property(segmentExpression, (source) => {
        const compiled = compileSegment(source, rules);
        expect(compiled.sql.startsWith('($1::timestamptz IS NOT NULL AND (')).toBe(true);
        expect(compiled.conditions.length).toBeGreaterThan(0);
        for (const condition of compiled.conditions) expect(source).toContain(condition.text);
      }),
      { numRuns: 500, seed: 20261129 },
    );
  });

  it('answers any other text with a positioned SegmentExpressionError or a compiled segment, never another error', () => {
    const noise = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.tuple(segmentExpression, fc.string({ maxLength: 5 }), fc.nat(40)).map(([e, junk, at]) => {
        const i = Math.min(at, e.length);
        return e.slice(0, i) + junk + e.slice(i);
      }),
      segmentExpression.map((e) => e.slice(0, Math.floor(e.length / 2))),
    );
    fc.assert(
      fc.property(noise, (source) => {
        try {
          compileSegment(source, rules);
        } catch (error) {
          expect(error).toBeInstanceOf(SegmentExpressionError);
          const { position } = error as SegmentExpressionError;
          expect(position).toBeGreaterThanOrEqual(1);
          expect(position).toBeLessThanOrEqual(source.length + 1);
        }
      }),
      { numRuns: 2000, seed: 20261129 },
    );
  });
});
