import fc from 'fast-check';
import { churnAlerting, churnModel, interactionDecline } from './churn-risk';
import { lifecycleStage, meanIntervalDays, predict, type CustomerFacts } from './classify';
import { loadScoringRules } from './rules.provider';

const rules = loadScoringRules();
const asOf = new Date('2024-06-01T00:00:00.000Z');
const daysAgo = (days: number) => new Date(asOf.getTime() - days * 86_400_000);

function repeatBuyer(overrides: Partial<CustomerFacts> = {}): CustomerFacts {
  // Five purchases 20 days apart, the last 10 days ago: a 20-day rhythm.
  return {
    asOf,
    relationshipStartedAt: daysAgo(400),
    spend12m: 50000,
    purchases12m: 5,
    lifetimePurchases: 5,
    firstPurchaseAt: daysAgo(90),
    lastPurchaseAt: daysAgo(10),
    categorySpend: {},
    manualTags: [],
    ...overrides,
  };
}

describe('the expected purchase interval', () => {
  it('is the mean gap between the first and last purchase', () => {
    expect(meanIntervalDays(repeatBuyer())).toBe(20);
    expect(meanIntervalDays(repeatBuyer({ lifetimePurchases: 1 }))).toBeNull();
  });

  it('moves a repeat buyer to decline once three of their own intervals pass without an order, by time alone', () => {
    expect(
      lifecycleStage(repeatBuyer({ lastPurchaseAt: daysAgo(60), firstPurchaseAt: daysAgo(140) }), rules),
    ).toBe('maturity');
    expect(
      lifecycleStage(repeatBuyer({ lastPurchaseAt: daysAgo(61), firstPurchaseAt: daysAgo(141) }), rules),
    ).toBe('decline');
  });

  it('ignores bursts shorter than a week: no rhythm to be late for', () => {
    const burst = repeatBuyer({
      firstPurchaseAt: daysAgo(40),
      lastPurchaseAt: daysAgo(36),
      lifetimePurchases: 3,
    });
    expect(lifecycleStage(burst, rules)).toBe('maturity');
    expect(predict(burst, rules).model).toBe('new-customer-fallback');
  });
});

describe('predict', () => {
  it('gives no risk within the expected interval and the next purchase one interval after the last', () => {
    expect(predict(repeatBuyer(), rules)).toEqual({
      churnRisk: 0,
      purchaseRisk: 0,
      interactionDecline: 0,
      expectedNextPurchaseAt: daysAgo(-10),
      expectedIntervalDays: 20,
      model: 'own-interval',
    });
  });

  it('rises linearly to 1 at three intervals late', () => {
    expect(
      predict(repeatBuyer({ lastPurchaseAt: daysAgo(40), firstPurchaseAt: daysAgo(120) }), rules).churnRisk,
    ).toBe(0.5);
    expect(
      predict(repeatBuyer({ lastPurchaseAt: daysAgo(90), firstPurchaseAt: daysAgo(170) }), rules).churnRisk,
    ).toBe(1);
  });

  it('falls back to the rule set interval for a one-time buyer, and knows nothing without a purchase', () => {
    const once = repeatBuyer({
      lifetimePurchases: 1,
      firstPurchaseAt: daysAgo(135),
      lastPurchaseAt: daysAgo(135),
    });
    expect(predict(once, rules)).toMatchObject({
      churnRisk: 0.25,
      expectedIntervalDays: 90,
      model: 'new-customer-fallback',
    });
    expect(
      predict(repeatBuyer({ lifetimePurchases: 0, lastPurchaseAt: null, firstPurchaseAt: null }), rules),
    ).toEqual({
      churnRisk: null,
      purchaseRisk: null,
      interactionDecline: 0,
      expectedNextPurchaseAt: null,
      expectedIntervalDays: null,
      model: 'no-purchase',
    });
  });
});

describe('falling interaction frequency', () => {
  const model = churnModel(rules);

  it('adds to the risk by how far interactions fell, once the earlier window had enough of them', () => {
    const late = repeatBuyer({ lastPurchaseAt: daysAgo(40), firstPurchaseAt: daysAgo(120) });
    expect(predict({ ...late, interactionsBefore: 5, interactionsRecent: 1 }, rules)).toMatchObject({
      purchaseRisk: 0.5,
      interactionDecline: 0.8,
      churnRisk: 0.74,
    });
    // Two interactions before are too few to call a fall; more interactions than before is no fall.
    expect(predict({ ...late, interactionsBefore: 2, interactionsRecent: 0 }, rules).churnRisk).toBe(0.5);
    expect(predict({ ...late, interactionsBefore: 4, interactionsRecent: 9 }, rules).churnRisk).toBe(0.5);
    // Never above 1, and nothing without a purchase.
    const gone = repeatBuyer({ lastPurchaseAt: daysAgo(90), firstPurchaseAt: daysAgo(170) });
    expect(predict({ ...gone, interactionsBefore: 6, interactionsRecent: 0 }, rules).churnRisk).toBe(1);
  });

  it('stays within 0-1 and never lowers the purchase risk, whatever the counts (generated)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (days, recent, before) => {
          const facts = repeatBuyer({ lastPurchaseAt: daysAgo(days), firstPurchaseAt: daysAgo(days + 80) });
          const p = predict({ ...facts, interactionsRecent: recent, interactionsBefore: before }, rules);
          expect(p.churnRisk).toBeGreaterThanOrEqual(p.purchaseRisk!);
          expect(p.churnRisk).toBeLessThanOrEqual(1);
          expect(p.interactionDecline).toBe(interactionDecline(recent, before, model));
          if (before < model.minInteractionsBefore || recent >= before) expect(p.interactionDecline).toBe(0);
        },
      ),
    );
  });

  it('alerts at the threshold and calms only a tenth below it', () => {
    expect(churnAlerting(0.6, false, model)).toBe(true);
    expect(churnAlerting(0.59, false, model)).toBe(false);
    expect(churnAlerting(0.55, true, model)).toBe(true);
    expect(churnAlerting(0.49, true, model)).toBe(false);
    expect(churnAlerting(null, true, model)).toBe(false);
  });
});
