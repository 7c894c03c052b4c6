import type { Purpose } from '@crm/contracts';
import { localMinuteOfDay, nextLocalTime } from '@crm/service-kit';

/** Quiet hours as minutes since local midnight: `from` to `to`, wrapping midnight when `to` < `from`. */
export interface QuietHours {
  from: number;
  to: number;
}

export interface CareDecisionInput {
  purpose: Purpose;
  /** Marketing consent for the touch's channel, if the customer ever gave or withdrew it. */
  marketingConsent: boolean | undefined;
  /** Service consent for the channel: only an explicit `false` (the customer refused the channel) blocks. */
  serviceConsent?: boolean | undefined;
  /** Touches (every channel, every purpose, every source) in the budget's rolling window. */
  recentTouches: number;
  /** The customer's budget for that window, before `reducedContact` halves it. */
  frequencyCap: number;
  /** The customer asked for fewer contacts: the cap is halved (at least one touch remains possible). */
  reducedContact?: boolean;
  /** A complaint or other service moment is open: no promotion may ride on it. */
  inServiceMoment: boolean;
  /** The offer's category is one the customer complained about or dismissed. */
  categoryExcluded?: boolean;
  /** For quiet hours: now, the customer's time zone and the quiet window. */
  now?: Date;
  timeZone?: string;
  quietHours?: QuietHours;
}

export type SuppressionReason =
  'no-marketing-consent' | 'no-service-consent' | 'frequency-cap' | 'service-moment' | 'excluded-category';

export type CareDecision =
  { status: 'triggered'; sendAfter?: Date } | { status: 'suppressed'; reason: SuppressionReason };

/** The cap a customer gets: halved (rounded down, at least 1) when they asked for fewer contacts. */
export function effectiveCap(cap: number, reduced: boolean | undefined): number {
  if (!reduced || cap === 0) return cap;
  return Math.max(1, Math.floor(cap / 2));
}

/** When `now` falls in the quiet hours of the time zone: the instant they end; otherwise undefined. */
export function quietUntil(now: Date, timeZone: string, quiet: QuietHours): Date | undefined {
  if (quiet.from === quiet.to) return undefined;
  const minute = localMinuteOfDay(timeZone, now.getTime());
  const inside =
    quiet.from < quiet.to
      ? minute >= quiet.from && minute < quiet.to
      : minute >= quiet.from || minute < quiet.to;
  return inside ? new Date(nextLocalTime(timeZone, now.getTime(), quiet.to)) : undefined;
}

/**
 * One contact budget (handbook §5, rules of restraint), for every outbound touch whatever sent it:
 * consent per channel and purpose; marketing never on a service moment nor in an excluded category; a
 * frequency cap across all channels, halved for a customer who asked for fewer contacts (service messages
 * count toward it but are never blocked by it); quiet hours in the customer's time zone make a touch wait.
 */
export function decideCareAction(input: CareDecisionInput): CareDecision {
  const sendAfter =
    input.now && input.timeZone && input.quietHours
      ? quietUntil(input.now, input.timeZone, input.quietHours)
      : undefined;
  const triggered: CareDecision = sendAfter ? { status: 'triggered', sendAfter } : { status: 'triggered' };
  if (input.purpose === 'service')
    return input.serviceConsent === false
      ? { status: 'suppressed', reason: 'no-service-consent' }
      : triggered;
  if (input.categoryExcluded) return { status: 'suppressed', reason: 'excluded-category' };
  if (input.marketingConsent !== true) return { status: 'suppressed', reason: 'no-marketing-consent' };
  if (input.inServiceMoment) return { status: 'suppressed', reason: 'service-moment' };
  if (input.recentTouches >= effectiveCap(input.frequencyCap, input.reducedContact))
    return { status: 'suppressed', reason: 'frequency-cap' };
  return triggered;
}
