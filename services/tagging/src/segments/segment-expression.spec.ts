import { loadScoringRules } from '../scoring/rules.provider';
import { compileSegment, SegmentExpressionError } from './segment-expression';

const rules = loadScoringRules();
const positionOf = (source: string) => {
  try {
    compileSegment(source, rules);
  } catch (error) {
    if (error instanceof SegmentExpressionError) return `${error.position}: ${error.reason}`;
    throw error;
  }
  return 'compiled';
};

describe('the segment condition language', () => {
  it.each([
    'purchases(90d) >= 2',
    'purchases(180d) = 0',
    'nps(30d) <= 6',
    "bought('pumps') and not bought('valves')",
    "bought('pumps', 6m) or has_tag('manual:decision-maker')",
    "(value_tier = 'high-value' or value_loyalty_segment = 'core') and churn_risk >= 0.5",
    'spend_12m >= 100000 and relationship_months >= 12 and days_since_last_purchase <= 91',
  ])('compiles %s', (source) => {
    expect(positionOf(source)).toBe('compiled');
  });

  it('lists each condition as written, with the fact it looks at', () => {
    const compiled = compileSegment(
      "purchases(90d) >= 2 and not bought('valves') and value_tier != 'silent'",
      rules,
    );
    expect(compiled.conditions.map((c) => c.text)).toEqual([
      'purchases(90d) >= 2',
      "bought('valves')",
      "value_tier != 'silent'",
    ]);
    expect(compiled.sql).toContain("interval '90 days'");
    expect(compiled.sql).toContain('NOT (');
  });

  it('escapes quotes inside texts', () => {
    const compiled = compileSegment("industry = 'O''Brien''s' and purchases(30d) > 0", rules);
    expect(compiled.sql).toContain("'O''Brien''s'");
    expect(compiled.conditions.map((c) => c.text)).toEqual([
      "industry = 'O''Brien''s'",
      'purchases(30d) > 0',
    ]);
    expect(compileSegment('bought("it\'s")', rules).sql).toContain("'it''s'");
  });

  it.each([
    ['', '1: the expression is empty'],
    ['purchases(90d) >=', '18: expected a number, found the end'],
    ['purchases(90) >= 2', '11: expected a window such as 90d or 6m, found "90"'],
    ["value_tier > 'core'", '12: text can only be compared with = or !='],
    ['value_tier = 3', '14: expected a \'quoted text\', found "3"'],
    ['shoe_size > 3', '1: unknown field or function "shoe_size"'],
    ['purchases(90d) >= 2 and', '24: expected a condition, found the end'],
    ['(purchases(90d) >= 2', '21: expected ")", found the end'],
    ['purchases(90d) >= 2 spend_12m > 1', '21: expected "and", "or" or the end, found "spend_12m"'],
    ["bought('pumps", '8: a quoted text is never closed'],
    ['spend_12m => 5', '11: unknown operator "=>"'],
  ])('names the position of a mistake in %p', (source, expected) => {
    expect(positionOf(source).startsWith(expected)).toBe(true);
  });
});
