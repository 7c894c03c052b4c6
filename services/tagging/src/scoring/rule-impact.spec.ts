import fc from 'fast-check';
import { classify, type CustomerFacts } from './classify';
import defaultRules from './default-rules.json';
import { ImpactTally } from './rule-impact';
import { parseRuleSet, RuleSetError, type ScoringRuleSet } from './rule-set';

const active = parseRuleSet(defaultRules);
const asOf = new Date('2024-06-01T12:00:00.000Z');
const DAY = 86_400_000;

/** The handbook's rules with "potential" from `minSpend` instead of 50,000. */
const withPotentialFrom = (minSpend: number): ScoringRuleSet =>
  parseRuleSet({
    ...defaultRules,
    version: `potential-${minSpend}`,
    valueTiers: defaultRules.valueTiers.map((rule) =>
      rule.tier === 'potential' ? { ...rule, when: { ...rule.when, minSpend12m: minSpend } } : rule,
    ),
  });

const facts = (spend12m: number, purchases12m: number, daysAgo: number): CustomerFacts => ({
  asOf,
  relationshipStartedAt: new Date('2020-01-01T00:00:00.000Z'),
  spend12m,
  purchases12m,
  lifetimePurchases: purchases12m,
  lastPurchaseAt: new Date(asOf.getTime() - daysAgo * DAY),
  categorySpend: {},
  manualTags: [],
});

const tallyOf = (proposed: ScoringRuleSet, customers: CustomerFacts[], sample = 10) => {
  const tally = new ImpactTally(active, proposed, sample);
  customers.forEach((f, i) => tally.add(`c-${i}`, f, classify(f, active), classify(f, proposed)));
  return tally.result(asOf);
};

describe('the impact of a proposed rule set', () => {
  it('counts who moves tier, with the deciding rule of each version as the why', () => {
    const impact = tallyOf(withPotentialFrom(70_000), [
      facts(60_000, 2, 10), // potential → stable (a purchase in the last month)
      facts(60_000, 2, 60), // potential → silent
      facts(80_000, 2, 10), // stays potential
      facts(1_000, 1, 10), // stays silent
    ]);
    expect(impact).toMatchObject({ customers: 4, changed: 2, activeVersion: active.version });
    expect(impact.dimensions.valueTier).toEqual({
      changed: 2,
      moves: { 'potential → silent': 1, 'potential → stable': 1 },
    });
    expect(impact.dimensions.lifecycleStage.changed).toBe(0);
    expect(impact.sample.map((s) => s.customerId)).toEqual(['c-0', 'c-1']);
    expect(impact.sample[0].why[1]).toBe(
      `valueTier potential → stable: ${active.version} valueTiers[1] (minSpend12m 50000, lastPurchaseWithinMonths 6); ` +
        'potential-70000 valueTiers[2] (minSpend12m 20000, lastPurchaseWithinMonths 1)',
    );
    expect(impact.sample[1].why[1]).toMatch(/potential-70000 no valueTiers rule matches, fallback silent$/);
  });

  it('finds nothing to change when the proposal equals the active rules, and keeps the sample within its size', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            spend: fc.integer({ min: 0, max: 300_000 }),
            purchases: fc.integer({ min: 0, max: 30 }),
            daysAgo: fc.integer({ min: 0, max: 900 }),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 0, max: 5 }),
        (customers, sample) => {
          const all = customers.map((c) => facts(c.spend, c.purchases, c.daysAgo));
          expect(tallyOf(parseRuleSet({ ...defaultRules, version: 'same' }), all, sample).changed).toBe(0);
          const impact = tallyOf(withPotentialFrom(70_000), all, sample);
          const moved = Object.values(impact.dimensions.valueTier.moves).reduce((a, b) => a + b, 0);
          expect(moved).toBe(impact.dimensions.valueTier.changed);
          expect(impact.changed).toBeLessThanOrEqual(impact.customers);
          expect(impact.sample.length).toBe(Math.min(sample, impact.changed));
        },
      ),
    );
  });
});

describe('a proposed rule set from outside', () => {
  it('is either a valid rule set or a RuleSetError whose every problem names a field', () => {
    const mutated = fc.record({
      path: fc.constantFrom('version', 'rfm', 'valueTiers', 'fallbackTier', 'lifecycle', 'tags', 'extra'),
      value: fc.oneof(fc.anything(), fc.constant(-1), fc.constant([]), fc.string()),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutated), (input) => {
        const data =
          typeof input === 'object' && input !== null && 'path' in input && 'value' in input
            ? { ...defaultRules, [String(input.path)]: input.value }
            : input;
        try {
          const rules = parseRuleSet(data);
          expect(typeof rules.version).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(RuleSetError);
          for (const problem of (error as RuleSetError).problems)
            expect(problem.indexOf(': ')).toBeGreaterThan(0);
        }
      }),
    );
  });
});
