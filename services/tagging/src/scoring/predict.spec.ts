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
      expectedNextPurchaseAt: null,
      expectedIntervalDays: null,
      model: 'no-purchase',
    });
  });
});
