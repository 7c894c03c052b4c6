import type { ScoringRuleSet } from './rule-set';

/**
 * Churn risk, defined once, in two parts:
 * - purchase lateness: 0 while the time since the last purchase is within the expected interval, rising
 *   linearly to 1 when it is `lateAt` intervals late. The expected interval is the customer's own mean when
 *   it is at least `minIntervalDays`, else the rule set's fallback;
 * - falling interaction frequency (the handbook: fewer contacts are an early sign): the share by which the
 *   customer's own (not automated) interactions in the last `interactionWindowDays` fell against the window
 *   before it, counted only when that earlier window had at least `minInteractionsBefore`;
 * risk = min(1, lateness + interactionWeight × decline), each rounded to hundredths. A customer who never
 * bought has no risk (null). `predict` evaluates it in TypeScript, the segment language emits the same
 * formula as SQL, and tagging announces crossing `alertAt` (and falling back below `alertAt - 0.1`).
 */
export interface ChurnModel {
  minIntervalDays: number;
  fallbackIntervalDays: number;
  lateAt: number;
  interactionWindowDays: number;
  minInteractionsBefore: number;
  interactionWeight: number;
  alertAt: number;
}

/** Below the threshold by this much before a high risk counts as normal again (no flapping). */
export const CHURN_ALERT_HYSTERESIS = 0.1;

export function churnModel(rules: ScoringRuleSet): ChurnModel {
  return {
    minIntervalDays: rules.lifecycle.minIntervalDays,
    fallbackIntervalDays: rules.prediction.newCustomerIntervalDays,
    lateAt: rules.lifecycle.declineAfterIntervals ?? 3,
    interactionWindowDays: rules.prediction.interactionWindowDays ?? 90,
    minInteractionsBefore: rules.prediction.minInteractionsBefore ?? 3,
    interactionWeight: rules.prediction.interactionWeight ?? 0.3,
    alertAt: rules.prediction.churnAlertAt ?? 0.6,
  };
}

const hundredths = (x: number) => Math.round(x * 100) / 100;

/** The interval a prediction uses, and whether it is the customer's own. */
export function expectedInterval(
  ownMeanDays: number | null,
  model: ChurnModel,
): { days: number; own: boolean } {
  const own = ownMeanDays !== null && ownMeanDays >= model.minIntervalDays && ownMeanDays > 0;
  return { days: own ? ownMeanDays : model.fallbackIntervalDays, own };
}

/** Purchase lateness alone, 0-1. */
export function purchaseLateness(daysSinceLastPurchase: number, intervalDays: number, model: ChurnModel) {
  const ratio = daysSinceLastPurchase / intervalDays;
  return hundredths(Math.min(1, Math.max(0, (ratio - 1) / (model.lateAt - 1))));
}

/** How far interactions fell: 0 without enough history or without a fall, 1 when they stopped. */
export function interactionDecline(recent: number, before: number, model: ChurnModel): number {
  if (before < model.minInteractionsBefore) return 0;
  return hundredths(Math.max(0, (before - recent) / before));
}

export function churnRisk(
  daysSinceLastPurchase: number,
  intervalDays: number,
  model: ChurnModel,
  decline = 0,
): number {
  const lateness = purchaseLateness(daysSinceLastPurchase, intervalDays, model);
  return hundredths(Math.min(1, lateness + model.interactionWeight * decline));
}

/** Whether a risk is high, given whether it was: up at `alertAt`, back down only below it by the hysteresis. */
export function churnAlerting(risk: number | null, wasHigh: boolean, model: ChurnModel): boolean {
  if (risk === null) return false;
  return wasHigh ? risk >= model.alertAt - CHURN_ALERT_HYSTERESIS : risk >= model.alertAt;
}

/**
 * The same formula in SQL, over expressions for the days since the last purchase, the customer's own mean
 * interval in days (NULL with fewer than two purchases) and the interactions in the recent window and the
 * one before it. NULL when there is no purchase.
 */
export function churnRiskSql(
  model: ChurnModel,
  daysSinceLast: string,
  ownMeanDays: string,
  recent: string,
  before: string,
): string {
  const interval = `CASE WHEN (${ownMeanDays}) >= ${model.minIntervalDays} AND (${ownMeanDays}) > 0 THEN (${ownMeanDays}) ELSE ${model.fallbackIntervalDays} END`;
  const lateness = `round(least(1, greatest(0, ((${daysSinceLast}) / (${interval}) - 1) / ${model.lateAt - 1}))::numeric, 2)`;
  const decline = `CASE WHEN (${before}) >= ${model.minInteractionsBefore} THEN round(greatest(0, ((${before}) - (${recent}))::numeric / (${before}))::numeric, 2) ELSE 0 END`;
  return `round(least(1, ${lateness} + ${model.interactionWeight}::numeric * ${decline})::numeric, 2)::float8`;
}

/** The interactions of customer `c` in the recent window (`recent`) or the one before it, at `$1`. */
export function interactionCountSql(model: ChurnModel, which: 'recent' | 'before'): string {
  const window = `make_interval(days => ${model.interactionWindowDays})`;
  const range =
    which === 'recent'
      ? `i.occurred_at > $1::timestamptz - ${window}`
      : `i.occurred_at <= $1::timestamptz - ${window} AND i.occurred_at > $1::timestamptz - 2 * ${window}`;
  return `(SELECT count(*)::int FROM interaction_facts i WHERE i.customer_id = c.customer_id AND i.occurred_at <= $1 AND ${range})`;
}
