import type { ScoringRuleSet } from './rule-set';

/**
 * Churn risk, defined once: 0 while the time since the last purchase is within the expected interval,
 * rising linearly to 1 when it is `lateAt` intervals late; rounded to hundredths. The expected interval is
 * the customer's own mean when it is at least `minIntervalDays`, else the rule set's fallback. `predict`
 * evaluates it in TypeScript and the segment language emits the same formula as SQL.
 */
export interface ChurnModel {
  minIntervalDays: number;
  fallbackIntervalDays: number;
  lateAt: number;
}

export function churnModel(rules: ScoringRuleSet): ChurnModel {
  return {
    minIntervalDays: rules.lifecycle.minIntervalDays,
    fallbackIntervalDays: rules.prediction.newCustomerIntervalDays,
    lateAt: rules.lifecycle.declineAfterIntervals ?? 3,
  };
}

/** The interval a prediction uses, and whether it is the customer's own. */
export function expectedInterval(
  ownMeanDays: number | null,
  model: ChurnModel,
): { days: number; own: boolean } {
  const own = ownMeanDays !== null && ownMeanDays >= model.minIntervalDays && ownMeanDays > 0;
  return { days: own ? ownMeanDays : model.fallbackIntervalDays, own };
}

export function churnRisk(daysSinceLastPurchase: number, intervalDays: number, model: ChurnModel): number {
  const ratio = daysSinceLastPurchase / intervalDays;
  const risk = Math.min(1, Math.max(0, (ratio - 1) / (model.lateAt - 1)));
  return Math.round(risk * 100) / 100;
}

/**
 * The same formula in SQL, over expressions for the days since the last purchase and the customer's own
 * mean interval in days (NULL with fewer than two purchases). NULL when there is no purchase.
 */
export function churnRiskSql(model: ChurnModel, daysSinceLast: string, ownMeanDays: string): string {
  const interval = `CASE WHEN (${ownMeanDays}) >= ${model.minIntervalDays} AND (${ownMeanDays}) > 0 THEN (${ownMeanDays}) ELSE ${model.fallbackIntervalDays} END`;
  return `round(least(1, greatest(0, ((${daysSinceLast}) / (${interval}) - 1) / ${model.lateAt - 1}))::numeric, 2)::float8`;
}
