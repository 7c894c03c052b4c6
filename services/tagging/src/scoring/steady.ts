import { expectedInterval, type ChurnModel } from './churn-risk';
import { calendarMonthsBefore, meanIntervalDays, type CustomerFacts } from './classify';
import type { RuleConditions, ScoringRuleSet } from './rule-set';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The moments, read with a customer's facts, at which time alone changes those facts: purchases and
 * interactions entering (dated after the as-of date) and leaving the windows they are counted in.
 */
export interface FactEdges {
  /** The oldest purchase counted in the 12 months (the first to leave them); milliseconds since the epoch. */
  oldestIn12m: number | null;
  /** The newest purchase up to the as-of date that the 12 months do not count (the last to have left them). */
  newestBefore12m: number | null;
  /** The first purchase dated after the as-of date. */
  nextPurchaseAt: number | null;
  /** The oldest interaction in the churn model's recent window, and in the window before it. */
  oldestRecentInteraction: number | null;
  oldestEarlierInteraction: number | null;
  /** The first interaction dated after the as-of date. */
  nextInteractionAt: number | null;
}

/**
 * The fewest and most days that `m` calendar months back from any moment span (`monthsBefore`, with its
 * clamp to the month's end), over the Gregorian calendar's 400-year cycle: the sum of `m` consecutive months'
 * lengths. A date is within `m` months of a moment `d` days after it when `d` is below the first, and never
 * when `d` is at least the second; between the two the clamp decides, so the answer is not settled there.
 */
const spans = new Map<number, { min: number; max: number }>();
export function monthSpanDays(months: number): { min: number; max: number } {
  let span = spans.get(months);
  if (span) return span;
  const lengths: number[] = [];
  for (let year = 2000; year < 2400; year++)
    for (let month = 0; month < 12; month++)
      lengths.push(new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
  let min = Infinity;
  let max = -Infinity;
  for (let start = 0; start < lengths.length; start++) {
    let sum = 0;
    for (let k = 0; k < months; k++) sum += lengths[(start + k) % lengths.length];
    min = Math.min(min, sum);
    max = Math.max(max, sum);
  }
  span = { min, max };
  spans.set(months, span);
  return span;
}

/** How a moment `from` stands against the start of a window of calendar months (`back`), the three ways asked. */
type MonthTest = (from: number, back: number) => boolean;
/** A purchase counted in the 12 months (the facts statement: `occurred_at > $2`). */
const countedIn: MonthTest = (from, back) => from > back;
/** The last purchase within the months (`withinMonths`). */
const within: MonthTest = (from, back) => from >= back;
/** The relationship at least the months old (`relationshipMonthsAtLeast`). */
const atLeast: MonthTest = (from, back) => from <= back;

/**
 * The first moment after `asOf` at which `test(from, m months before it)` differs from its value at `asOf`,
 * looked for up to a day past `closes` (settled after it); Infinity when there is none. Within a UTC day the
 * start of the window moves with the clock (the clamp to a month's end keeps the time of day), so the test
 * can flip only where the two meet in that day (that moment and the next millisecond) or at a day's start.
 */
function nextFlip(from: number, m: number, test: MonthTest, asOf: number, closes: number): number {
  const now = test(from, calendarMonthsBefore(asOf, m));
  const candidates: number[] = [];
  for (let day = Math.floor(asOf / DAY_MS) * DAY_MS; day <= closes + DAY_MS; day += DAY_MS) {
    const meets = day + (from - calendarMonthsBefore(day, m));
    candidates.push(day, meets, meets + 1);
  }
  candidates.sort((a, b) => a - b);
  for (const t of candidates) if (t > asOf && test(from, calendarMonthsBefore(t, m)) !== now) return t;
  return Infinity;
}

/** The conditions of a rule set's tiers and membership levels, gathered once per rule set. */
const gathered = new WeakMap<ScoringRuleSet, RuleConditions[]>();
function conditionsOf(rules: ScoringRuleSet): RuleConditions[] {
  let conditions = gathered.get(rules);
  if (!conditions) {
    conditions = [...rules.valueTiers.map((r) => r.when), ...rules.membership.map((r) => r.when)];
    gathered.set(rules, conditions);
  }
  return conditions;
}

/** A margin taken off every moment computed: a review a second early costs nothing, a late one is wrong. */
const MARGIN_MS = 1000;

/**
 * Until when a customer's classification and churn alert, evaluated at `facts.asOf`, stay as they are if
 * no new fact arrives (every new fact re-scores the customer on the event path): the first moment at which
 * any rule's threshold, a purchase or interaction entering or leaving a window, or the churn alert could
 * move. A sweep before that moment (and not before the as-of date) may leave the customer alone; `null`
 * when nothing time alone does can change it. Calendar months are not a fixed number of days (the clamp to
 * a month's end), so near such a threshold the moment is found by walking the days it may fall on.
 *
 * Conservative by construction: each moment is a lower bound of the change it stands for, so a customer is
 * at worst looked at too early, never too late.
 */
export function steadyUntil(
  facts: CustomerFacts,
  rules: ScoringRuleSet,
  churn: ChurnModel,
  churnHigh: boolean,
  edges: FactEdges,
): Date | null {
  const asOf = facts.asOf.getTime();
  let until = Infinity;
  /** A change known to lie ahead, no earlier than `moment` (the as-of date itself when that has passed). */
  const ahead = (moment: number) => {
    if (Number.isNaN(moment)) until = asOf;
    else until = Math.min(until, Math.max(asOf, moment - MARGIN_MS));
  };
  /** A threshold crossed exactly at `moment`, in one direction only: nothing when it is behind. */
  const crossing = (moment: number) => {
    if (moment > asOf) ahead(moment);
  };
  /**
   * `test(from, m calendar months before t)`: settled before `from + min` days (the span's fewest) and after
   * `from + max`; in between, the first moment it flips is looked for.
   */
  const months = (from: number, m: number, test: MonthTest) => {
    if (!Number.isInteger(m) || m < 0 || m > 1200) {
      until = asOf;
      return;
    }
    const span = monthSpanDays(m);
    const opens = from + span.min * DAY_MS;
    const closes = from + span.max * DAY_MS;
    if (asOf < opens) ahead(opens);
    else if (asOf <= closes) ahead(nextFlip(from, m, test, asOf, closes));
  };
  /** `floor(days since from) <= limit` (and its negation) changes when the whole days pass the limit. */
  const wholeDays = (from: number, limit: number) => crossing(from + (Math.floor(limit) + 1) * DAY_MS);

  const time = (d: Date | null) => (d === null ? null : d.getTime());
  if (edges.oldestIn12m !== null) months(edges.oldestIn12m, 12, countedIn);
  if (edges.newestBefore12m !== null) months(edges.newestBefore12m, 12, countedIn);
  if (edges.nextPurchaseAt !== null) ahead(edges.nextPurchaseAt);
  if (edges.nextInteractionAt !== null) ahead(edges.nextInteractionAt);
  // Postgres subtracts the window as days; in a session time zone with daylight saving a day may be 23
  // or 25 hours, so the edges are taken two hours early.
  const windowMs = churn.interactionWindowDays * DAY_MS;
  const recent = edges.oldestRecentInteraction;
  if (recent !== null) ahead(recent + windowMs - 2 * HOUR_MS);
  const earlier = edges.oldestEarlierInteraction;
  if (earlier !== null) ahead(earlier + 2 * windowMs - 2 * HOUR_MS);

  const conditions = conditionsOf(rules);
  const started = time(facts.relationshipStartedAt);
  if (started !== null)
    for (const when of conditions)
      for (const m of [when.minRelationshipMonths, when.maxRelationshipMonths])
        if (m !== undefined) months(started, m, atLeast);

  const last = time(facts.lastPurchaseAt);
  if (last !== null) {
    for (const when of conditions)
      if (when.lastPurchaseWithinMonths !== undefined) months(last, when.lastPurchaseWithinMonths, within);
    months(last, rules.lifecycle.churnedAfterMonths, within);
    months(last, rules.lifecycle.declineAfterMonths, within);
    for (const limit of rules.rfm.recencyDays) wholeDays(last, limit);
    wholeDays(last, rules.tags.activeWithinDays);
    wholeDays(last, rules.tags.churnRiskAfterDays);
    const interval = meanIntervalDays(facts);
    if (
      rules.lifecycle.declineAfterIntervals !== undefined &&
      interval !== null &&
      interval >= rules.lifecycle.minIntervalDays
    )
      wholeDays(last, interval * rules.lifecycle.declineAfterIntervals);
    if (!churnHigh) ahead(churnAlertFrom(facts, last, churn));
  }
  return until === Infinity ? null : new Date(until);
}

/**
 * The earliest moment the churn risk could reach the alert, with the interactions as they are: the risk is
 * the purchase lateness (rising with time) plus a fixed part, each rounded to hundredths, so it reaches
 * `alertAt` no earlier than the lateness reaches `alertAt - fixed - 0.02` unrounded (a margin over both
 * roundings). A risk already announced high only rises with time and stays high.
 */
function churnAlertFrom(facts: CustomerFacts, last: number, churn: ChurnModel): number {
  if (churn.alertAt > 1) return Infinity;
  if (!(churn.lateAt > 1)) return NaN;
  const before = facts.interactionsBefore ?? 0;
  const recent = facts.interactionsRecent ?? 0;
  const decline = before >= churn.minInteractionsBefore ? Math.max(0, (before - recent) / before) : 0;
  const lateness = churn.alertAt - churn.interactionWeight * decline - 0.02;
  if (lateness <= 0) return NaN;
  if (lateness > 1) return Infinity;
  const interval = expectedInterval(meanIntervalDays(facts), churn).days;
  return last + interval * (1 + (churn.lateAt - 1) * lateness) * DAY_MS;
}
