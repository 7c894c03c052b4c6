import { churnModel, churnRisk, expectedInterval, interactionDecline, purchaseLateness } from './churn-risk';
import type { CustomerClassificationV1, LifecycleStage, ValueLoyaltySegment } from '@crm/contracts';
import type { RuleConditions, ScoringRuleSet } from './rule-set';

/** What the engine knows about a customer at the as-of date. */
export interface CustomerFacts {
  asOf: Date;
  /** Unknown until the registration event arrives; then the relationship counts as new. */
  relationshipStartedAt: Date | null;
  spend12m: number;
  purchases12m: number;
  lifetimePurchases: number;
  lastPurchaseAt: Date | null;
  /** The first purchase up to the as-of date: with the last and the count, the mean purchase interval. */
  firstPurchaseAt?: Date | null;
  /** Spend per category over the relationship, for preferred-category tags. */
  categorySpend: Record<string, number>;
  manualTags: string[];
  /** The customer's own interactions in the churn model's recent window, and in the one before it. */
  interactionsRecent?: number;
  interactionsBefore?: number;
  /** The types of the customer's unsolved needs in the needs register (`need:<type>` tags). */
  needTypes?: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The same day-of-month `months` calendar months before `time` (ms), clamped to the month's end (UTC). */
export function calendarMonthsBefore(time: number, months: number): number {
  const result = new Date(time);
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result.getTime();
}

/**
 * The answers for the last as-of date asked about, by months. A sweep classifies a million customers at one
 * as-of date, asking the same few spans for each (the calendar arithmetic was the sweep's largest cost in
 * JavaScript); another date starts afresh.
 */
const recent = { time: NaN, byMonths: new Map<number, number>() };

function monthsBeforeTime(time: number, months: number): number {
  if (time !== recent.time) {
    recent.time = time;
    recent.byMonths.clear();
  }
  let answer = recent.byMonths.get(months);
  if (answer === undefined) {
    answer = calendarMonthsBefore(time, months);
    recent.byMonths.set(months, answer);
  }
  return answer;
}

/** The same day-of-month `months` calendar months earlier, clamped to the month's end (UTC). */
export function monthsBefore(date: Date, months: number): Date {
  return new Date(monthsBeforeTime(date.getTime(), months));
}

function withinMonths(at: Date | null, asOf: Date, months: number): boolean {
  return at !== null && at.getTime() >= monthsBeforeTime(asOf.getTime(), months);
}

function relationshipMonthsAtLeast(facts: CustomerFacts, months: number): boolean {
  return (
    facts.relationshipStartedAt !== null &&
    facts.relationshipStartedAt.getTime() <= monthsBeforeTime(facts.asOf.getTime(), months)
  );
}

/** Every condition present must hold; precedence between rules is the order of the list. */
export function matches(when: RuleConditions, facts: CustomerFacts): boolean {
  if (when.minSpend12m !== undefined && facts.spend12m < when.minSpend12m) return false;
  if (when.maxSpend12m !== undefined && facts.spend12m >= when.maxSpend12m) return false;
  if (when.minPurchases12m !== undefined && facts.purchases12m < when.minPurchases12m) return false;
  if (
    when.lastPurchaseWithinMonths !== undefined &&
    !withinMonths(facts.lastPurchaseAt, facts.asOf, when.lastPurchaseWithinMonths)
  )
    return false;
  if (
    when.minRelationshipMonths !== undefined &&
    !relationshipMonthsAtLeast(facts, when.minRelationshipMonths)
  )
    return false;
  if (
    when.maxRelationshipMonths !== undefined &&
    relationshipMonthsAtLeast(facts, when.maxRelationshipMonths)
  )
    return false;
  return true;
}

function scoreDescending(value: number, thresholds: number[]): number {
  const index = thresholds.findIndex((t) => value >= t);
  return index === -1 ? 1 : 5 - index;
}

export function daysSince(at: Date | null, asOf: Date): number | null {
  return at === null ? null : Math.floor((asOf.getTime() - at.getTime()) / DAY_MS);
}

export function rfmScores(facts: CustomerFacts, rules: ScoringRuleSet) {
  const days = daysSince(facts.lastPurchaseAt, facts.asOf);
  const recencyIndex = days === null ? -1 : rules.rfm.recencyDays.findIndex((limit) => days <= limit);
  return {
    recency: recencyIndex === -1 ? 1 : 5 - recencyIndex,
    frequency: scoreDescending(facts.purchases12m, rules.rfm.frequency),
    monetary: scoreDescending(facts.spend12m, rules.rfm.monetary),
  };
}

/** Mean days between purchases; null with fewer than two purchases. */
export function meanIntervalDays(facts: CustomerFacts): number | null {
  if (facts.lifetimePurchases < 2 || !facts.firstPurchaseAt || !facts.lastPurchaseAt) return null;
  return (
    (facts.lastPurchaseAt.getTime() - facts.firstPurchaseAt.getTime()) /
    DAY_MS /
    (facts.lifetimePurchases - 1)
  );
}

/**
 * Precedence, first match wins: no purchase → acquisition; none for churnedAfterMonths → churned; none for
 * declineAfterMonths → decline; a repeat buyer whose own expected interval has long passed
 * (declineAfterIntervals × the mean interval) → decline; at least maturityMinPurchases → maturity; else growth.
 */
export function lifecycleStage(facts: CustomerFacts, rules: ScoringRuleSet): LifecycleStage {
  if (facts.lifetimePurchases === 0 || facts.lastPurchaseAt === null) return 'acquisition';
  if (!withinMonths(facts.lastPurchaseAt, facts.asOf, rules.lifecycle.churnedAfterMonths)) return 'churned';
  if (!withinMonths(facts.lastPurchaseAt, facts.asOf, rules.lifecycle.declineAfterMonths)) return 'decline';
  const interval = meanIntervalDays(facts);
  const days = daysSince(facts.lastPurchaseAt, facts.asOf)!;
  if (
    rules.lifecycle.declineAfterIntervals !== undefined &&
    interval !== null &&
    interval >= rules.lifecycle.minIntervalDays &&
    days > interval * rules.lifecycle.declineAfterIntervals
  )
    return 'decline';
  return facts.lifetimePurchases >= rules.lifecycle.maturityMinPurchases ? 'maturity' : 'growth';
}

export interface Prediction {
  /** 0 while within the expected interval, rising to 1 when the purchase is declineAfterIntervals late. */
  churnRisk: number | null;
  /** The parts of the risk: purchase lateness, and the fall in interaction frequency (0-1). */
  purchaseRisk: number | null;
  interactionDecline: number;
  expectedNextPurchaseAt: Date | null;
  /** The interval used: the customer's own mean, or the rule set's fallback for fewer than two purchases. */
  expectedIntervalDays: number | null;
  model: 'own-interval' | 'new-customer-fallback' | 'no-purchase';
}

/**
 * Churn risk and the expected next purchase, from the time since the last purchase relative to the
 * customer's own mean interval (fallback: prediction.newCustomerIntervalDays). Not part of the
 * classification: it moves every day, so it is exposed and usable in segments but never emitted as a change.
 */
export function predict(facts: CustomerFacts, rules: ScoringRuleSet): Prediction {
  if (facts.lastPurchaseAt === null)
    return {
      churnRisk: null,
      purchaseRisk: null,
      interactionDecline: 0,
      expectedNextPurchaseAt: null,
      expectedIntervalDays: null,
      model: 'no-purchase',
    };
  const model = churnModel(rules);
  const interval = expectedInterval(meanIntervalDays(facts), model);
  const days = (facts.asOf.getTime() - facts.lastPurchaseAt.getTime()) / DAY_MS;
  const decline = interactionDecline(facts.interactionsRecent ?? 0, facts.interactionsBefore ?? 0, model);
  return {
    churnRisk: churnRisk(days, interval.days, model, decline),
    purchaseRisk: purchaseLateness(days, interval.days, model),
    interactionDecline: decline,
    expectedNextPurchaseAt: new Date(facts.lastPurchaseAt.getTime() + interval.days * DAY_MS),
    expectedIntervalDays: Math.round(interval.days * 10) / 10,
    model: interval.own ? 'own-interval' : 'new-customer-fallback',
  };
}

export function valueLoyaltySegment(facts: CustomerFacts, rules: ScoringRuleSet): ValueLoyaltySegment {
  const highValue = facts.spend12m >= rules.valueLoyalty.highValueMinSpend12m;
  const highLoyalty = facts.purchases12m >= rules.valueLoyalty.highLoyaltyMinPurchases12m;
  if (highValue) return highLoyalty ? 'core' : 'potential';
  return highLoyalty ? 'general' : 'churn-warning';
}

export function computedTags(facts: CustomerFacts, rules: ScoringRuleSet): string[] {
  const tags: string[] = [];
  if (facts.purchases12m > 0) {
    const aov = facts.spend12m / facts.purchases12m;
    tags.push(
      aov >= rules.tags.highOrderValue
        ? 'aov:high'
        : aov >= rules.tags.mediumOrderValue
          ? 'aov:medium'
          : 'aov:low',
    );
  }
  tags.push(facts.purchases12m >= 4 ? 'freq:high' : facts.purchases12m >= 2 ? 'freq:medium' : 'freq:low');
  const days = daysSince(facts.lastPurchaseAt, facts.asOf);
  if (days !== null && days <= rules.tags.activeWithinDays) tags.push('active');
  if (days !== null && days > rules.tags.churnRiskAfterDays) tags.push('churn-risk');
  if (days !== null && !withinMonths(facts.lastPurchaseAt, facts.asOf, rules.lifecycle.declineAfterMonths))
    tags.push('silent');
  const preferred = Object.entries(facts.categorySpend)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, rules.tags.preferredCategories)
    .map(([category]) => `category:${category}`);
  return [...tags, ...preferred];
}

/** The whole classification; pure, so the event path and the sweep agree by construction. */
export function classify(facts: CustomerFacts, rules: ScoringRuleSet): CustomerClassificationV1 {
  const tier = rules.valueTiers.find((rule) => matches(rule.when, facts))?.tier ?? rules.fallbackTier;
  const membership =
    rules.membership.find((rule) => matches(rule.when, facts))?.level ?? rules.fallbackMembership;
  const tags = [
    ...new Set([
      ...computedTags(facts, rules),
      ...facts.manualTags.map((t) => `manual:${t}`),
      ...[...(facts.needTypes ?? [])].sort().map((t) => `need:${t}`),
    ]),
  ];
  return {
    rfm: rfmScores(facts, rules),
    valueTier: tier,
    valueLoyaltySegment: valueLoyaltySegment(facts, rules),
    membershipLevel: membership,
    lifecycleStage: lifecycleStage(facts, rules),
    tags,
  };
}

/** Field names that differ between two classifications, e.g. `valueTier`, `rfm.recency`, `tags`. */
export function changedFields(
  previous: CustomerClassificationV1 | undefined,
  current: CustomerClassificationV1,
): string[] {
  if (!previous)
    return ['rfm', 'valueTier', 'valueLoyaltySegment', 'membershipLevel', 'lifecycleStage', 'tags'];
  const changed: string[] = [];
  for (const key of ['recency', 'frequency', 'monetary'] as const)
    if (previous.rfm[key] !== current.rfm[key]) changed.push(`rfm.${key}`);
  for (const key of ['valueTier', 'valueLoyaltySegment', 'membershipLevel', 'lifecycleStage'] as const)
    if (previous[key] !== current[key]) changed.push(key);
  if (!sameTags(previous.tags, current.tags)) changed.push('tags');
  return changed;
}

/**
 * The same tags, in any order. Tags kept from the last scoring come back in the order they were computed,
 * so most comparisons end at the first loop. Compared element by element: joined into one string, tags that
 * contain a comma could pass for others (`["manual:a,manual:b"]` and `["manual:a", "manual:b"]`).
 */
function sameTags(previous: readonly string[], current: readonly string[]): boolean {
  if (previous.length !== current.length) return false;
  let i = 0;
  while (i < current.length && previous[i] === current[i]) i++;
  if (i === current.length) return true;
  const a = previous.slice(i).sort();
  const b = current.slice(i).sort();
  return a.every((tag, j) => tag === b[j]);
}
