import { IsIn } from 'class-validator';

export const CHANNELS = ['phone', 'visit', 'online', 'email', 'sms', 'app-push', 'messaging-app'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PURPOSES = ['service', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];

export const VALUE_TIERS = ['high-value', 'potential', 'stable', 'silent'] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];

export const VALUE_LOYALTY_SEGMENTS = ['core', 'potential', 'general', 'churn-warning'] as const;
export type ValueLoyaltySegment = (typeof VALUE_LOYALTY_SEGMENTS)[number];

export const MEMBERSHIP_LEVELS = ['gold', 'silver', 'bronze'] as const;
export type MembershipLevel = (typeof MEMBERSHIP_LEVELS)[number];

export const LIFECYCLE_STAGES = ['acquisition', 'growth', 'maturity', 'decline', 'churned'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** A decorator for "one of these strings" that names the allowed values in its message. */
export function IsOneOf(values: readonly string[], options: { each?: boolean } = {}): PropertyDecorator {
  return IsIn(values as string[], {
    ...options,
    message: `$property must ${options.each ? 'each ' : ''}be one of: ${values.join(', ')}`,
  });
}
