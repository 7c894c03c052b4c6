import fc from 'fast-check';
import { churnAlerting, churnModel } from './churn-risk';
import { classify, monthsBefore, predict, type CustomerFacts } from './classify';
import type { ScoringRuleSet } from './rule-set';
import { loadScoringRules } from './rules.provider';
import { monthSpanDays, steadyUntil, type FactEdges } from './steady';

const DAY = 86_400_000;
const defaults = loadScoringRules();

/** A customer's history, the way tagging's tables hold it. */
interface History {
  startedAt: number | null;
  purchases: Array<{ at: number; amount: number }>;
  interactions: number[];
  manualTags: string[];
}

/** The facts and their edges at `asOf`, computed from the history as the facts statement defines them. */
function factsAt(
  history: History,
  asOf: number,
  windowDays: number,
): { facts: CustomerFacts; edges: FactEdges } {
  const yearBefore = monthsBefore(new Date(asOf), 12).getTime();
  const past = history.purchases.filter((p) => p.at <= asOf);
  const inYear = past.filter((p) => p.at > yearBefore);
  const times = past.map((p) => p.at);
  const window = windowDays * DAY;
  const recent = history.interactions.filter((i) => i <= asOf && i > asOf - window);
  const earlier = history.interactions.filter((i) => i <= asOf - window && i > asOf - 2 * window);
  const date = (xs: number[], pick: (...v: number[]) => number) => (xs.length ? new Date(pick(...xs)) : null);
  const ms = (xs: number[], pick: (...v: number[]) => number) => (xs.length ? pick(...xs) : null);
  return {
    facts: {
      asOf: new Date(asOf),
      relationshipStartedAt: history.startedAt === null ? null : new Date(history.startedAt),
      spend12m: inYear.reduce((sum, p) => sum + p.amount, 0),
      purchases12m: inYear.length,
      lifetimePurchases: past.length,
      lastPurchaseAt: date(times, Math.max),
      firstPurchaseAt: date(times, Math.min),
      categorySpend: {},
      manualTags: history.manualTags,
      interactionsRecent: recent.length,
      interactionsBefore: earlier.length,
      needTypes: [],
    },
    edges: {
      oldestIn12m: ms(
        inYear.map((p) => p.at),
        Math.min,
      ),
      newestBefore12m: ms(
        past.filter((p) => p.at <= yearBefore).map((p) => p.at),
        Math.max,
      ),
      nextPurchaseAt: ms(
        history.purchases.filter((p) => p.at > asOf).map((p) => p.at),
        Math.min,
      ),
      oldestRecentInteraction: ms(recent, Math.min),
      oldestEarlierInteraction: ms(earlier, Math.min),
      nextInteractionAt: ms(
        history.interactions.filter((i) => i > asOf),
        Math.min,
      ),
    },
  };
}

const BASE = Date.UTC(2024, 0, 31, 23, 0, 0);
/** Moments within three years of the base: any, and month ends late in the day (where the calendar clamps). */
const moment = fc.oneof(
  fc.integer({ min: -1100 * DAY, max: 1100 * DAY }).map((offset) => BASE + offset),
  fc
    .record({
      month: fc.integer({ min: -36, max: 36 }),
      day: fc.integer({ min: 26, max: 31 }),
      ms: fc.nat(DAY - 1),
    })
    .map(({ month, day, ms }) => Date.UTC(2024, month, 1) + (day - 1) * DAY + ms),
);
const history = fc.record({
  startedAt: fc.option(moment, { nil: null }),
  purchases: fc.array(
    fc.record({
      at: moment,
      amount: fc.oneof(fc.constantFrom(5000, 20000, 50000, 100000), fc.integer({ min: 1, max: 150000 })),
    }),
    { maxLength: 8 },
  ),
  interactions: fc.array(moment, { maxLength: 8 }),
  manualTags: fc.boolean().map((vip): string[] => (vip ? ['vip'] : [])),
});
const months = fc.integer({ min: 0, max: 30 });
/** The default rule set with any of its time thresholds moved. */
const ruleSet: fc.Arbitrary<ScoringRuleSet> = fc
  .record({
    within: fc.array(fc.option(months, { nil: undefined }), { minLength: 3, maxLength: 3 }),
    minRelationship: fc.option(months, { nil: undefined }),
    maxRelationship: fc.option(months, { nil: undefined }),
    declineAfterMonths: fc.integer({ min: 1, max: 12 }),
    churnedExtra: fc.integer({ min: 1, max: 12 }),
    recencyDays: fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 4, maxLength: 4 }),
    activeWithinDays: fc.integer({ min: 1, max: 200 }),
    churnRiskAfterDays: fc.integer({ min: 1, max: 200 }),
    declineAfterIntervals: fc.option(fc.double({ min: 1.5, max: 5, noNaN: true }), { nil: undefined }),
    minIntervalDays: fc.integer({ min: 0, max: 60 }),
    newCustomerIntervalDays: fc.integer({ min: 1, max: 200 }),
    churnAlertAt: fc.double({ min: 0.05, max: 1, noNaN: true }),
    interactionWindowDays: fc.integer({ min: 7, max: 200 }),
    minInteractionsBefore: fc.integer({ min: 1, max: 4 }),
    interactionWeight: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((r) => ({
    ...defaults,
    rfm: { ...defaults.rfm, recencyDays: [...r.recencyDays].sort((a, b) => a - b) },
    valueTiers: defaults.valueTiers.map((rule, i) => ({
      ...rule,
      when: {
        ...rule.when,
        lastPurchaseWithinMonths: r.within[i],
        minRelationshipMonths: i === 0 ? r.minRelationship : rule.when.minRelationshipMonths,
      },
    })),
    membership: defaults.membership.map((rule, i) => ({
      ...rule,
      when: {
        ...rule.when,
        maxRelationshipMonths: i === 1 ? r.maxRelationship : rule.when.maxRelationshipMonths,
      },
    })),
    lifecycle: {
      ...defaults.lifecycle,
      declineAfterMonths: r.declineAfterMonths,
      churnedAfterMonths: r.declineAfterMonths + r.churnedExtra,
      declineAfterIntervals: r.declineAfterIntervals,
      minIntervalDays: r.minIntervalDays,
    },
    tags: {
      ...defaults.tags,
      activeWithinDays: r.activeWithinDays,
      churnRiskAfterDays: r.churnRiskAfterDays,
    },
    prediction: {
      newCustomerIntervalDays: r.newCustomerIntervalDays,
      churnAlertAt: r.churnAlertAt,
      interactionWindowDays: r.interactionWindowDays,
      minInteractionsBefore: r.minInteractionsBefore,
      interactionWeight: r.interactionWeight,
    },
  }));

/** A customer of four years with one purchase of 25,000 ("stable" while it is within a month). */
const onePurchase = (at: number): History => ({
  startedAt: Date.UTC(2020, 0, 1),
  purchases: [{ at, amount: 25000 }],
  interactions: [],
  manualTags: [],
});

describe('steady until', () => {
  it('spans every calendar-month step back between its fewest and most days', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          moment,
          fc.integer({ min: -2_000_000, max: 2_000_000 }).map((d) => BASE + d * DAY + 12_345),
        ),
        fc.integer({ min: 0, max: 40 }),
        (at, m) => {
          const days = (at - monthsBefore(new Date(at), m).getTime()) / DAY;
          const span = monthSpanDays(m);
          expect(days).toBeGreaterThanOrEqual(span.min);
          expect(days).toBeLessThanOrEqual(span.max);
        },
      ),
      { numRuns: 5000 },
    );
    expect(monthSpanDays(1)).toEqual({ min: 28, max: 31 });
    expect(monthSpanDays(12)).toEqual({ min: 365, max: 366 });
  });

  it('holds the classification and the churn alert until then, for any history, rules and moment', () => {
    fc.assert(
      fc.property(
        history,
        ruleSet,
        moment,
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (h, rules, asOf, wasHigh, fractions) => {
          const churn = churnModel(rules);
          const { facts, edges } = factsAt(h, asOf, churn.interactionWindowDays);
          const high = churnAlerting(predict(facts, rules).churnRisk, wasHigh, churn);
          const until = steadyUntil(facts, rules, churn, high, edges);
          const end = until?.getTime() ?? asOf + 2000 * DAY;
          expect(end).toBeGreaterThanOrEqual(asOf);
          const classification = classify(facts, rules);
          const moments = [asOf + 1, end - 1, ...fractions.map((f) => asOf + Math.floor(f * (end - asOf)))];
          for (const t of moments.filter((m) => m > asOf && m < end)) {
            const later = factsAt(h, t, churn.interactionWindowDays).facts;
            expect({ t, classification: classify(later, rules) }).toEqual({ t, classification });
            expect({ t, high: churnAlerting(predict(later, rules).churnRisk, high, churn) }).toEqual({
              t,
              high,
            });
          }
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('is the first rule threshold ahead: one purchase ten days ago, steady until the month-long tier could end', () => {
    const last = Date.UTC(2024, 4, 10, 9, 30);
    const h = onePurchase(last);
    const churn = churnModel(defaults);
    const { facts, edges } = factsAt(h, last + 10 * DAY, churn.interactionWindowDays);
    // "stable": last purchase within 1 month, which no month ends before 28 days.
    expect(steadyUntil(facts, defaults, churn, false, edges)).toEqual(new Date(last + 28 * DAY - 1000));
  });

  it('finds the moment a calendar month clamp ends a tier: the 30th of January, a month on, is the 1st of March', () => {
    const last = Date.UTC(2024, 0, 30, 10);
    const h = onePurchase(last);
    const churn = churnModel(defaults);
    // On 29 February a month back is 29 January, before the purchase; on 1 March it is 1 February, after it.
    const { facts, edges } = factsAt(h, Date.UTC(2024, 1, 28, 10), churn.interactionWindowDays);
    const ends = Date.UTC(2024, 2, 1);
    expect(classify(facts, defaults).valueTier).toBe('stable');
    expect(classify(factsAt(h, ends - 1, churn.interactionWindowDays).facts, defaults).valueTier).toBe(
      'stable',
    );
    expect(classify(factsAt(h, ends, churn.interactionWindowDays).facts, defaults).valueTier).toBe('silent');
    expect(steadyUntil(facts, defaults, churn, false, edges)).toEqual(new Date(ends - 1000));
  });

  it('looks again before a purchase left out of the 12 months comes back into them (the leap day)', () => {
    // As of 28 February 2024, 23:00, the 12 months start on 28 February 2023, 23:00; an hour and a half
    // later, on the leap day, they start on 28 February 2023, 00:30: the purchase at noon is counted again.
    const h: History = {
      startedAt: Date.UTC(2020, 0, 1),
      purchases: [
        { at: Date.UTC(2023, 1, 28, 12), amount: 25000 },
        { at: Date.UTC(2024, 0, 15), amount: 25000 },
      ],
      interactions: [],
      manualTags: [],
    };
    const churn = churnModel(defaults);
    const asOf = Date.UTC(2024, 1, 28, 23);
    const flap = Date.UTC(2024, 1, 29, 0, 30);
    const { facts, edges } = factsAt(h, asOf, churn.interactionWindowDays);
    const later = factsAt(h, flap, churn.interactionWindowDays).facts;
    expect([facts.purchases12m, later.purchases12m]).toEqual([1, 2]);
    expect(classify(later, defaults)).not.toEqual(classify(facts, defaults));
    expect(steadyUntil(facts, defaults, churn, false, edges)!.getTime()).toBeLessThanOrEqual(flap);
  });

  it('is nothing for a customer time cannot move: no purchase, no interaction, no relationship rule ahead', () => {
    const h: History = { startedAt: Date.UTC(2000, 0, 1), purchases: [], interactions: [], manualTags: [] };
    const churn = churnModel(defaults);
    const { facts, edges } = factsAt(h, BASE, churn.interactionWindowDays);
    expect(steadyUntil(facts, defaults, churn, false, edges)).toBeNull();
  });
});
