import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsJSON,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { envNumber, ServiceConfig } from '@crm/config';
import { IsTimeZone } from '@crm/service-kit';

export class CampaignsConfig extends ServiceConfig {
  /** Touches per customer across all channels in a rolling 7 days, when no contact_caps row applies. */
  @Transform(envNumber) @IsInt() @Min(0) @Max(100) CARE_FREQUENCY_CAP: number;
  /** `HH:MM-HH:MM` in the customer's time zone: a touch due then waits until the end (not dropped). */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, {
    message: 'CONTACT_QUIET_HOURS must be HH:MM-HH:MM, such as 21:00-08:00',
  })
  CONTACT_QUIET_HOURS: string;
  /** Birthdays and membership anniversaries are announced this long before the day begins. */
  @Transform(envNumber) @IsInt() @Min(0) @Max(720) DATE_TRIGGER_NOTICE_HOURS: number;
  /** `days since registration` comes due this many days after registering. */
  @Transform(envNumber) @IsInt() @Min(1) @Max(3660) DATE_TRIGGER_REGISTRATION_DAYS: number;
  /** `days without purchase` comes due this many days after the last purchase. */
  @Transform(envNumber) @IsInt() @Min(1) @Max(3660) DATE_TRIGGER_NO_PURCHASE_DAYS: number;
  /** A payment reminder goes out this many days before the payment is due. */
  @Transform(envNumber) @IsInt() @Min(1) @Max(60) DATE_TRIGGER_PAYMENT_REMINDER_DAYS: number;
  /** Warranty care goes out this many days before the warranty ends. */
  @Transform(envNumber) @IsInt() @Min(1) @Max(365) DATE_TRIGGER_WARRANTY_NOTICE_DAYS: number;
  /** The time zone of customers who have none. */
  @IsTimeZone() CONTACT_DEFAULT_TIME_ZONE: string;
  /** `smtp://` or `smtps://` URL of the mail server: e-mail touches are sent there when set. */
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['smtp', 'smtps'] },
    { message: 'SMTP_URL must be smtp://host:port or smtps://user:pass@host:port' },
  )
  SMTP_URL?: string;
  /** The sender of e-mail touches. */
  @IsString() MAIL_FROM: string;
  /**
   * A bearer token (role integration) for customer-profile's delivery-address route. Without one, a
   * development token is minted from JWT_SECRET.
   */
  @IsOptional() @IsString() SERVICE_TOKEN?: string;
  /** Links templates may use, as a JSON object of URL patterns with {customerId}, {touchId}, {surveyId}. */
  @IsJSON({ message: 'TEMPLATE_LINKS must be a JSON object of link name to URL pattern' })
  TEMPLATE_LINKS: string;
  /** Hours after a complaint during which no marketing is sent. */
  @Transform(envNumber) @IsInt() @Min(0) CARE_SERVICE_MOMENT_HOURS: number;
  @IsIn(['log', 'webhook']) CARE_CHANNEL_ADAPTER: 'log' | 'webhook';
  /** The gateway's URL; https in production. */
  @ValidateIf((c: CampaignsConfig) => c.CARE_CHANNEL_ADAPTER === 'webhook')
  @IsUrl(
    {
      require_tld: false,
      require_protocol: true,
      protocols: process.env.NODE_ENV === 'production' ? ['https'] : ['http', 'https'],
    },
    {
      message:
        'CARE_WEBHOOK_URL must be the gateway URL (https in production) when CARE_CHANNEL_ADAPTER=webhook',
    },
  )
  CARE_WEBHOOK_URL?: string;
  /** `whsec_<base64>`: the Standard Webhooks signing secret the gateway verifies. */
  @ValidateIf((c: CampaignsConfig) => c.CARE_CHANNEL_ADAPTER === 'webhook')
  @IsString({ message: 'CARE_WEBHOOK_SECRET (whsec_…) is required when CARE_CHANNEL_ADAPTER=webhook' })
  CARE_WEBHOOK_SECRET?: string;
  @Transform(envNumber) @IsInt() @Min(100) @Max(60_000) CARE_WEBHOOK_CONNECT_TIMEOUT_MS: number;
  @Transform(envNumber) @IsInt() @Min(100) @Max(300_000) CARE_WEBHOOK_TIMEOUT_MS: number;
  /** First retry after about this long; each next one waits twice as long (with jitter), up to the maximum. */
  @Transform(envNumber) @IsInt() @Min(10) CARE_RETRY_BASE_MS: number;
  @Transform(envNumber) @IsInt() @Min(10) CARE_RETRY_MAX_MS: number;
  /** After this long undelivered, a service touch is given up (`care delivery failed`). */
  @Transform(envNumber) @IsInt() @Min(1) CARE_MAX_AGE_SECONDS_SERVICE: number;
  /** After this long undelivered, a marketing touch is given up: a late offer is worse than none. */
  @Transform(envNumber) @IsInt() @Min(1) CARE_MAX_AGE_SECONDS_MARKETING: number;
  /** The longest the dispatcher sleeps: it wakes when a touch is triggered and when a retry comes due. */
  @Transform(envNumber) @IsInt() @Min(50) CARE_DISPATCH_POLL_MS: number;
  @IsOptional() @Transform(envNumber) @IsInt() @Min(1) CARE_DISPATCH_CONCURRENCY?: number;
  /** The longest the journey worker sleeps: it wakes at the next due timer and when a run gets one. */
  @Transform(envNumber) @IsInt() @Min(50) JOURNEY_TIMER_POLL_MS: number;
}

export const CAMPAIGNS_DEFAULTS = {
  CARE_FREQUENCY_CAP: '3',
  CONTACT_QUIET_HOURS: '21:00-08:00',
  DATE_TRIGGER_NOTICE_HOURS: '24',
  DATE_TRIGGER_REGISTRATION_DAYS: '30',
  DATE_TRIGGER_NO_PURCHASE_DAYS: '90',
  DATE_TRIGGER_PAYMENT_REMINDER_DAYS: '3',
  DATE_TRIGGER_WARRANTY_NOTICE_DAYS: '30',
  CONTACT_DEFAULT_TIME_ZONE: 'UTC',
  MAIL_FROM: 'Customer care <care@crm.local>',
  TEMPLATE_LINKS: JSON.stringify({
    guide: 'https://crm.local/guide',
    privileges: 'https://crm.local/privileges',
    offer: 'https://crm.local/offers/{touchId}',
    survey: 'https://crm.local/feedback/public/surveys/{surveyToken}',
    unsubscribe: 'https://crm.local/unsubscribe/{customerId}',
  }),
  CARE_SERVICE_MOMENT_HOURS: '48',
  CARE_CHANNEL_ADAPTER: 'log',
  CARE_WEBHOOK_CONNECT_TIMEOUT_MS: '3000',
  CARE_WEBHOOK_TIMEOUT_MS: '10000',
  CARE_RETRY_BASE_MS: '1000',
  CARE_RETRY_MAX_MS: '3600000',
  CARE_MAX_AGE_SECONDS_SERVICE: '86400',
  CARE_MAX_AGE_SECONDS_MARKETING: '259200',
  CARE_DISPATCH_POLL_MS: '30000',
  JOURNEY_TIMER_POLL_MS: '30000',
};
