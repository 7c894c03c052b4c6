import fc from 'fast-check';
import { classify, type CustomerFacts } from './classify';
import { gapsReach, levelRank, nextLevel } from './membership-progress';
import { loadScoringRules } from './rules.provider';

const rules = loadScoringRules();
const asOf = new Date('2026-06-01T12:00:00.000Z');

const facts = (spend12m: number, purchases12m: number): CustomerFacts => ({
  asOf,
  relationshipStartedAt: new Date('2024-01-01T00:00:00.000Z'),
  spend12m,
  purchases12m,
  lifetimePurchases: purchases12m,
  lastPurchaseAt: purchases12m > 0 ? new Date('2026-05-20T00:00:00.000Z') : null,
  categorySpend: {},
  manualTags: [],
});

describe('the distance to the next membership level', () => {
  it('names what a silver customer lacks for gold, and nothing above gold', () => {
    expect(nextLevel(rules, facts(30000, 2), 'silver')).toEqual({
      level: 'gold',
      requirements: [
        { fact: 'spend12m', have: 30000, need: 100000, gap: 70000 },
        { fact: 'purchases12m', have: 2, need: 4, gap: 2 },
      ],
      otherConditions: [],
    });
    expect(nextLevel(rules, facts(200000, 9), 'gold')).toBeNull();
  });

  it('takes the easiest rule to the next level: one more order, rather than 19,000 more spend', () => {
    expect(nextLevel(rules, facts(1000, 1), 'bronze')).toEqual({
      level: 'silver',
      requirements: [{ fact: 'purchases12m', have: 1, need: 2, gap: 1 }],
      otherConditions: [],
    });
  });

  it('for any customer below gold: the gaps are never negative and closing them reaches the next level', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300_000 }),
        fc.integer({ min: 0, max: 12 }),
        (spend, purchases) => {
          const f = facts(spend, purchases);
          const level = classify(f, rules).membershipLevel;
          const next = nextLevel(rules, f, level);
          if (level === 'gold') return next === null;
          return (
            next !== null &&
            levelRank(next.level) === levelRank(level) + 1 &&
            next.requirements.every((r) => r.gap >= 0 && r.have + r.gap >= r.need) &&
            next.requirements.some((r) => r.gap > 0) &&
            gapsReach(rules, f, next)
          );
        },
      ),
    );
  });
});
