import type { Purpose } from '@crm/contracts';

export interface CareDecisionInput {
  purpose: Purpose;
  /** Marketing consent for the playbook's channel, if the customer ever gave or withdrew it. */
  marketingConsent: boolean | undefined;
  /** Marketing touches on this channel in the rolling window. */
  recentMarketingTouches: number;
  frequencyCap: number;
  /** A complaint or other service moment is open: no promotion may ride on it. */
  inServiceMoment: boolean;
  /** The offer's category is one the customer complained about or dismissed. */
  categoryExcluded?: boolean;
}

export type CareDecision =
  | { status: 'triggered' }
  | {
      status: 'suppressed';
      reason: 'no-marketing-consent' | 'frequency-cap' | 'service-moment' | 'excluded-category';
    };

/**
 * The rules of restraint (§5): consent for marketing, a frequency cap, service and marketing never mixed,
 * and no offer in a category the customer excluded.
 */
export function decideCareAction(input: CareDecisionInput): CareDecision {
  if (input.purpose === 'service') return { status: 'triggered' };
  if (input.categoryExcluded) return { status: 'suppressed', reason: 'excluded-category' };
  if (input.marketingConsent !== true) return { status: 'suppressed', reason: 'no-marketing-consent' };
  if (input.inServiceMoment) return { status: 'suppressed', reason: 'service-moment' };
  if (input.recentMarketingTouches >= input.frequencyCap)
    return { status: 'suppressed', reason: 'frequency-cap' };
  return { status: 'triggered' };
}
