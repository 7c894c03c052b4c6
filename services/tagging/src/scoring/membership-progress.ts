import { MEMBERSHIP_LEVELS, type MembershipLevel } from '@crm/contracts';
import { matches, type CustomerFacts } from './classify';
import type { RuleConditions, ScoringRuleSet } from './rule-set';

/** One measurable condition of a level and how far the customer is from it. */
export interface Requirement {
  fact: 'spend12m' | 'purchases12m';
  have: number;
  need: number;
  /** What is missing (0 when met). */
  gap: number;
}

export interface NextLevel {
  level: MembershipLevel;
  /** The easiest of the rules that grant the level: its measurable conditions with their gaps. */
  requirements: Requirement[];
  /** Conditions of that rule that no amount of buying meets today (relationship length, recency). */
  otherConditions: string[];
}

/** Rank: gold highest. */
export const levelRank = (level: string) =>
  MEMBERSHIP_LEVELS.length - MEMBERSHIP_LEVELS.indexOf(level as MembershipLevel);

function requirementsOf(
  when: RuleConditions,
  facts: CustomerFacts,
): { requirements: Requirement[]; other: string[] } {
  const requirements: Requirement[] = [];
  const other: string[] = [];
  if (when.minSpend12m !== undefined)
    requirements.push({
      fact: 'spend12m',
      have: facts.spend12m,
      need: when.minSpend12m,
      gap: Math.max(0, Math.round((when.minSpend12m - facts.spend12m) * 100) / 100),
    });
  if (when.minPurchases12m !== undefined)
    requirements.push({
      fact: 'purchases12m',
      have: facts.purchases12m,
      need: when.minPurchases12m,
      gap: Math.max(0, when.minPurchases12m - facts.purchases12m),
    });
  if (when.lastPurchaseWithinMonths !== undefined)
    other.push(`a purchase within the last ${when.lastPurchaseWithinMonths} months`);
  if (when.minRelationshipMonths !== undefined)
    other.push(`a relationship of at least ${when.minRelationshipMonths} months`);
  return { requirements, other };
}

/** Relative distance of a rule: the sum of each gap as a share of what it needs (0: met). */
const distance = (requirements: Requirement[]) =>
  requirements.reduce((sum, r) => sum + (r.need > 0 ? r.gap / r.need : 0), 0);

/**
 * The level above the customer's, and the easiest way there under the rule set: among the rules that grant
 * it (ignoring caps such as a maximum spend), the one whose measurable gaps are smallest relative to what
 * they ask. None when the customer is at the top.
 */
export function nextLevel(rules: ScoringRuleSet, facts: CustomerFacts, level: string): NextLevel | null {
  const rank = levelRank(level);
  const higher = MEMBERSHIP_LEVELS.filter((l) => levelRank(l) > rank).sort(
    (a, b) => levelRank(a) - levelRank(b),
  );
  for (const candidate of higher) {
    const options = rules.membership
      .filter((rule) => rule.level === candidate)
      .map((rule) => ({ rule, ...requirementsOf(rule.when, facts) }));
    if (options.length === 0) continue;
    const best = options.reduce((a, b) => (distance(b.requirements) < distance(a.requirements) ? b : a));
    return { level: candidate, requirements: best.requirements, otherConditions: best.other };
  }
  return null;
}

/** Whether facts raised by every gap of `next` would reach its level (what the gaps promise). */
export function gapsReach(rules: ScoringRuleSet, facts: CustomerFacts, next: NextLevel): boolean {
  const raised: CustomerFacts = { ...facts };
  for (const r of next.requirements) raised[r.fact] = facts[r.fact] + r.gap;
  const reached =
    rules.membership.find((rule) => matches(rule.when, raised))?.level ?? rules.fallbackMembership;
  return levelRank(reached) >= levelRank(next.level);
}
