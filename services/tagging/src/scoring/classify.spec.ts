import fc from 'fast-check';
import { changedFields, classify, monthsBefore, type CustomerFacts } from './classify';
import { loadScoringRules } from './rules.provider';
import { parseRuleSet, RuleSetError } from './rule-set';
import defaultRules from './default-rules.json';

const rules = loadScoringRules();
const asOf = new Date('2024-06-01T12:00:00.000Z');
const day = 24 * 60 * 60 * 1000;

function facts(overrides: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    asOf,
    relationshipStartedAt: new Date('2022-05-20T00:00:00.000Z'),
    spend12m: 0,
    purchases12m: 0,
    lifetimePurchases: 0,
    lastPurchaseAt: null,
    categorySpend: {},
    manualTags: [],
    ...overrides,
  };
}

const buyer = (overrides: Partial<CustomerFacts> = {}) =>
  facts({
    spend12m: 100000,
    purchases12m: 4,
    lifetimePurchases: 4,
    lastPurchaseAt: new Date('2024-05-20T00:00:00.000Z'),
    ...overrides,
  });

describe('value tier (rule set "value-tier", first match wins)', () => {
  it('puts exactly 100,000 a year, a recent order and two years of relationship in high-value', () => {
    expect(classify(buyer(), rules).valueTier).toBe('high-value');
  });

  it('puts 99,999.99 in potential', () => {
    expect(classify(buyer({ spend12m: 99999.99 }), rules).valueTier).toBe('potential');
  });

  it('counts an order exactly three months ago as recent, and one a day older as not', () => {
    const threeMonths = monthsBefore(asOf, 3);
    expect(classify(buyer({ lastPurchaseAt: threeMonths }), rules).valueTier).toBe('high-value');
    expect(classify(buyer({ lastPurchaseAt: new Date(threeMonths.getTime() - day) }), rules).valueTier).toBe(
      'potential',
    );
  });

  it('keeps potential for an order exactly six months ago and drops to silent a day later', () => {
    const sixMonths = monthsBefore(asOf, 6);
    expect(classify(buyer({ spend12m: 60000, lastPurchaseAt: sixMonths }), rules).valueTier).toBe(
      'potential',
    );
    expect(
      classify(buyer({ spend12m: 60000, lastPurchaseAt: new Date(sixMonths.getTime() - day) }), rules)
        .valueTier,
    ).toBe('silent');
  });

  it('needs a relationship of exactly one year for high-value', () => {
    const oneYear = monthsBefore(asOf, 12);
    expect(classify(buyer({ relationshipStartedAt: oneYear }), rules).valueTier).toBe('high-value');
    expect(
      classify(buyer({ relationshipStartedAt: new Date(oneYear.getTime() + day) }), rules).valueTier,
    ).toBe('potential');
  });

  it('treats an unknown relationship start as a new relationship', () => {
    expect(classify(buyer({ relationshipStartedAt: null }), rules).valueTier).toBe('potential');
  });

  it('puts 20,000-50,000 with an order in the last month in stable, and older orders in silent', () => {
    expect(classify(buyer({ spend12m: 20000, lastPurchaseAt: monthsBefore(asOf, 1) }), rules).valueTier).toBe(
      'stable',
    );
    expect(
      classify(
        buyer({ spend12m: 20000, lastPurchaseAt: new Date(monthsBefore(asOf, 1).getTime() - day) }),
        rules,
      ).valueTier,
    ).toBe('silent');
  });
});

describe('the empty customer', () => {
  it('is a silent, churn-warning, bronze prospect scoring 1-1-1', () => {
    const result = classify(facts(), rules);
    expect(result).toEqual({
      rfm: { recency: 1, frequency: 1, monetary: 1 },
      valueTier: 'silent',
      valueLoyaltySegment: 'churn-warning',
      membershipLevel: 'bronze',
      lifecycleStage: 'acquisition',
      tags: ['freq:low'],
    });
  });
});

describe('reference customers from the handbook', () => {
  it('classifies C2024001 (2 years, 5,000,000, last order 2024-05-20) as high-value core gold in maturity', () => {
    const result = classify(
      facts({
        spend12m: 2500000,
        purchases12m: 12,
        lifetimePurchases: 24,
        lastPurchaseAt: new Date('2024-05-20T00:00:00.000Z'),
        categorySpend: { pumps: 3000000, valves: 2000000 },
      }),
      rules,
    );
    expect(result.valueTier).toBe('high-value');
    expect(result.valueLoyaltySegment).toBe('core');
    expect(result.membershipLevel).toBe('gold');
    expect(result.lifecycleStage).toBe('maturity');
    expect(result.rfm).toEqual({ recency: 5, frequency: 5, monetary: 5 });
    expect(result.tags).toEqual(
      expect.arrayContaining(['aov:high', 'freq:high', 'active', 'category:pumps', 'category:valves']),
    );
  });

  it('classifies C2024002 (6 months, 800,000, last order 2024-05-15) as potential', () => {
    const result = classify(
      facts({
        relationshipStartedAt: new Date('2023-12-01T00:00:00.000Z'),
        spend12m: 800000,
        purchases12m: 3,
        lifetimePurchases: 3,
        lastPurchaseAt: new Date('2024-05-15T00:00:00.000Z'),
      }),
      rules,
    );
    expect(result.valueTier).toBe('potential');
    expect(result.valueLoyaltySegment).toBe('potential');
  });
});

describe('lifecycle stage', () => {
  it('moves a buyer with 1-2 purchases to growth and a repeat buyer to maturity', () => {
    expect(classify(buyer({ lifetimePurchases: 2 }), rules).lifecycleStage).toBe('growth');
    expect(classify(buyer({ lifetimePurchases: 3 }), rules).lifecycleStage).toBe('maturity');
  });

  it('moves a customer with no purchase for more than 6 months to decline, and after 12 to churned', () => {
    const sixMonths = monthsBefore(asOf, 6);
    expect(classify(buyer({ lastPurchaseAt: sixMonths }), rules).lifecycleStage).toBe('maturity');
    expect(
      classify(buyer({ lastPurchaseAt: new Date(sixMonths.getTime() - day) }), rules).lifecycleStage,
    ).toBe('decline');
    expect(
      classify(buyer({ lastPurchaseAt: new Date(monthsBefore(asOf, 12).getTime() - day) }), rules)
        .lifecycleStage,
    ).toBe('churned');
  });
});

describe('value-loyalty matrix', () => {
  it.each([
    [60000, 4, 'core'],
    [60000, 3, 'potential'],
    [10000, 4, 'general'],
    [10000, 1, 'churn-warning'],
  ])('spend %d with %d purchases is %s', (spend12m, purchases12m, segment) => {
    expect(classify(buyer({ spend12m, purchases12m }), rules).valueLoyaltySegment).toBe(segment);
  });
});

describe('monthsBefore', () => {
  it('clamps to the end of a shorter month', () => {
    expect(monthsBefore(new Date('2024-05-31T00:00:00.000Z'), 3).toISOString()).toBe(
      '2024-02-29T00:00:00.000Z',
    );
  });

  it('answers by the calendar for any sequence of dates and spans (remembered answers included)', () => {
    // The calendar, spelled out: the same day of the month, or the month's last day when it is shorter.
    const reference = (date: Date, months: number) => {
      const total = date.getUTCFullYear() * 12 + date.getUTCMonth() - months;
      const [year, month] = [Math.floor(total / 12), ((total % 12) + 12) % 12];
      const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      const result = new Date(date.getTime());
      result.setUTCFullYear(year, month, Math.min(date.getUTCDate(), lastDay));
      return result.toISOString();
    };
    const date = fc.date({
      min: new Date('1990-01-01T00:00:00Z'),
      max: new Date('2090-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    // Few distinct dates, so that calls repeat a date (answered from memory) and switch between dates.
    fc.assert(
      fc.property(
        fc.array(date, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 60 })), { minLength: 1, maxLength: 30 }),
        (dates, calls) => {
          for (const [pick, months] of calls) {
            const at = dates[pick % dates.length];
            const answer = monthsBefore(at, months);
            expect(answer.toISOString()).toBe(reference(at, months));
            answer.setUTCFullYear(1900); // a caller changing its copy changes no remembered answer
          }
        },
      ),
    );
  });
});

describe('changedFields', () => {
  it('names exactly what changed', () => {
    const before = classify(buyer({ spend12m: 99999.99 }), rules);
    const after = classify(buyer(), rules);
    expect(changedFields(before, after)).toEqual(['rfm.monetary', 'valueTier', 'membershipLevel']);
    expect(changedFields(after, after)).toEqual([]);
  });

  it('finds tags changed exactly when they differ as multisets, in any order, commas included', () => {
    const base = classify(buyer(), rules);
    const tag = fc.constantFrom('active', 'manual:a', 'manual:a,manual:b', 'manual:b', 'need:x', ',', '');
    const sorted = (tags: string[]) => JSON.stringify([...tags].sort());
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 6 }), fc.array(tag, { maxLength: 6 }), (x, y) => {
        const changed = changedFields({ ...base, tags: x }, { ...base, tags: y }).includes('tags');
        expect(changed).toBe(sorted(x) !== sorted(y));
        // Reordered, the same tags are no change.
        expect(changedFields({ ...base, tags: x }, { ...base, tags: [...x].reverse() })).toEqual([]);
      }),
    );
    const joined = changedFields(
      { ...base, tags: ['manual:a,manual:b'] },
      { ...base, tags: ['manual:a', 'manual:b'] },
    );
    expect(joined).toEqual(['tags']);
  });
});

describe('rule set validation', () => {
  it('names the bad rule', () => {
    const broken = structuredClone(defaultRules) as { valueTiers: { when: { minSpend12m: unknown } }[] };
    broken.valueTiers[0].when.minSpend12m = 'lots';
    expect(() => parseRuleSet(broken)).toThrow(RuleSetError);
    expect(() => parseRuleSet(broken)).toThrow(/valueTiers\.0\.when\.minSpend12m/);
  });

  it('rejects thresholds in the wrong order', () => {
    const broken = structuredClone(defaultRules);
    broken.rfm.monetary = [1, 2, 3, 4];
    expect(() => parseRuleSet(broken)).toThrow(/rfm.monetary: must be descending/);
  });

  it('rejects an unknown tier name', () => {
    const broken = structuredClone(defaultRules) as { valueTiers: { tier: string }[] };
    broken.valueTiers[0].tier = 'platinum';
    expect(() => parseRuleSet(broken)).toThrow(/valueTiers\.0\.tier/);
  });
});
