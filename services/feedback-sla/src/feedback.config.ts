import { Transform } from 'class-transformer';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { envNumber, ServiceConfig } from '@crm/config';
import { MASTER_KEY_DEFAULTS, ValidatesMasterKeys, type MasterKeySettings } from '@crm/privacy';

/** The master keys wrap the customers' text keys (survey comments). */
@ValidatesMasterKeys()
export class FeedbackConfig extends ServiceConfig implements MasterKeySettings {
  PII_MASTER_KEY: string;
  PII_MASTER_KEY_ID: string;
  PII_PREVIOUS_MASTER_KEYS?: string;
  /**
   * The longest the timer worker sleeps when nothing is announced: it wakes at the next timer's due time
   * and when a timer is armed (NOTIFY), so this only bounds recovery from a missed notification.
   */
  @Transform(envNumber) @IsInt() @Min(50) @Max(60000) SLA_TIMER_POLL_MS: number;
  /** Share of a target after which `sla warning` fires. */
  @Transform(envNumber) @IsNumber() @Min(0.05) @Max(0.99) SLA_WARNING_SHARE: number;
  /** Share of the resolution target after which an unresolved ticket goes to the executive level. */
  @Transform(envNumber) @IsNumber() @Min(1) @Max(10) SLA_EXECUTIVE_ESCALATION_SHARE: number;
  /** A customer is not asked for another survey within this many days. */
  @Transform(envNumber) @IsNumber() @Min(0) @Max(365) SURVEY_QUIET_DAYS: number;
  /** A customer is asked for NPS at most once in this many days. */
  @Transform(envNumber) @IsNumber() @Min(1) @Max(3650) NPS_PERIOD_DAYS: number;
  /** How often the periodic NPS round runs (a durable schedule in Postgres). */
  @Transform(envNumber) @IsNumber() @Min(0.01) @Max(8760) NPS_ROUND_INTERVAL_HOURS: number;
  /** Resolution-rate target the reports compare against. */
  @Transform(envNumber) @IsNumber() @Min(0) @Max(1) RESOLUTION_RATE_TARGET: number;
  /** Requests per minute one client address may make to the public survey links (429 beyond). */
  @Transform(envNumber) @IsInt() @Min(1) @Max(10000) PUBLIC_RATE_LIMIT_PER_MINUTE: number;
}

export const FEEDBACK_DEFAULTS: Record<string, string> = {
  ...MASTER_KEY_DEFAULTS,
  SLA_TIMER_POLL_MS: '30000',
  SLA_WARNING_SHARE: '0.75',
  SLA_EXECUTIVE_ESCALATION_SHARE: '1.5',
  SURVEY_QUIET_DAYS: '30',
  NPS_PERIOD_DAYS: '90',
  NPS_ROUND_INTERVAL_HOURS: '24',
  RESOLUTION_RATE_TARGET: '0.95',
  PUBLIC_RATE_LIMIT_PER_MINUTE: '30',
};
