import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { envNumber, ServiceConfig } from '@crm/config';

export class WebhooksConfig extends ServiceConfig {
  @Transform(envNumber) @IsInt() @Min(100) @Max(60_000) WEBHOOK_CONNECT_TIMEOUT_MS: number;
  @Transform(envNumber) @IsInt() @Min(100) @Max(300_000) WEBHOOK_TIMEOUT_MS: number;
  /** First retry after about this long; each next one waits twice as long (with jitter), up to the maximum. */
  @Transform(envNumber) @IsInt() @Min(10) WEBHOOK_RETRY_BASE_MS: number;
  @Transform(envNumber) @IsInt() @Min(10) WEBHOOK_RETRY_MAX_MS: number;
  /** Failed attempts in a row (over all of a subscription's deliveries) after which it is paused. */
  @Transform(envNumber) @IsInt() @Min(1) @Max(1000) WEBHOOK_PAUSE_AFTER_FAILURES: number;
  /** How long the previous secret keeps signing after a rotation, so receivers can switch without downtime. */
  @Transform(envNumber) @IsInt() @Min(0) @Max(30 * 24 * 3600) WEBHOOK_SECRET_OVERLAP_SECONDS: number;
  /** The longest the dispatcher sleeps: it wakes when a delivery is created and when a retry comes due. */
  @Transform(envNumber) @IsInt() @Min(50) WEBHOOK_DISPATCH_POLL_MS: number;
  @Transform(envNumber) @IsInt() @Min(1) @Max(64) WEBHOOK_DISPATCH_CONCURRENCY: number;
  /** Days events are kept for replay (the same as the topics' retention by default). */
  @Transform(envNumber) @IsInt() @Min(1) WEBHOOK_EVENT_RETENTION_DAYS: number;
  /** `https` only (production), or `http` too (local and test receivers). */
  @IsIn(['https', 'any']) WEBHOOK_URL_SCHEMES: 'https' | 'any';
}

export const WEBHOOKS_DEFAULTS = {
  WEBHOOK_CONNECT_TIMEOUT_MS: '3000',
  WEBHOOK_TIMEOUT_MS: '10000',
  WEBHOOK_RETRY_BASE_MS: '1000',
  WEBHOOK_RETRY_MAX_MS: '3600000',
  WEBHOOK_PAUSE_AFTER_FAILURES: '20',
  WEBHOOK_SECRET_OVERLAP_SECONDS: '86400',
  WEBHOOK_DISPATCH_POLL_MS: '30000',
  WEBHOOK_DISPATCH_CONCURRENCY: '8',
  WEBHOOK_EVENT_RETENTION_DAYS: '30',
  WEBHOOK_URL_SCHEMES: process.env.NODE_ENV === 'production' ? 'https' : 'any',
};
