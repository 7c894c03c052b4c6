import { fullFormats } from 'ajv-formats/dist/formats';
import { buildMessage, IsIn, ValidateBy } from 'class-validator';

export const CHANNELS = [
  'phone',
  'visit',
  'online',
  'email',
  'sms',
  'app-push',
  'messaging-app',
  'in-app',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const PURPOSES = ['service', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** The languages templates are written in; a customer without one gets `en`. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** How often a customer agreed to be contacted: `reduced` halves every frequency cap (handbook §5). */
export const CONTACT_FREQUENCIES = ['normal', 'reduced'] as const;
export type ContactFrequency = (typeof CONTACT_FREQUENCIES)[number];

/** An IANA time zone name (`Asia/Shanghai`, `UTC`); services check it exists before using it. */
export const TIME_ZONE_PATTERN = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

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

/**
 * The contract decorators below validate exactly what their JSON Schema keywords say (see
 * `schema/json-schema.ts`), so that the runtime validator and the published schemas agree.
 */

const dateTimeFormat = fullFormats['date-time'] as { validate: (value: string) => boolean };

/** An RFC 3339 date-time with a time zone (JSON Schema `format: date-time`, as Ajv's ajv-formats checks it). */
export function IsTimestamp(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimestamp',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && dateTimeFormat.validate(value),
      defaultMessage: buildMessage(
        (each) =>
          `${each}$property must be an RFC 3339 date-time with a time zone, e.g. 2024-05-20T09:30:00.000Z`,
      ),
    },
  });
}

/** Decimal places an amount may carry, as JSON Schema `multipleOf: 0.01`; the tolerance is Ajv's `multipleOfPrecision: 9`. */
export const MONEY_MULTIPLE_OF = 0.01;
export const MULTIPLE_OF_PRECISION = 9;

/** A finite number with at most two decimal places (JSON Schema `type: number, multipleOf: 0.01`). */
export function IsMoney(): PropertyDecorator {
  return ValidateBy({
    name: 'isMoney',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'number' || !Number.isFinite(value)) return false;
        const division = value / MONEY_MULTIPLE_OF;
        // Ajv's own test, negated as Ajv writes it (so an overflow to Infinity is treated the same way).
        return !(Math.abs(Math.round(division) - division) > 10 ** -MULTIPLE_OF_PRECISION);
      },
      defaultMessage: buildMessage(
        (each) => `${each}$property must be a number with at most two decimal places`,
      ),
    },
  });
}

/** Length in Unicode code points, as JSON Schema `minLength`/`maxLength` count it. */
export function TextLength(min: number, max: number, options?: { each?: boolean }): PropertyDecorator {
  return ValidateBy(
    {
      name: 'textLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const length = [...value].length;
          return length >= min && length <= max;
        },
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a string of ${min} to ${max} characters`,
        ),
      },
    },
    options,
  );
}
