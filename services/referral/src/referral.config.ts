import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { envNumber, ServiceConfig } from '@crm/config';

export class ReferralConfig extends ServiceConfig {
  /** Points credited to each side of a qualified referral. */
  @Transform(envNumber) @IsInt() @Min(1) REFERRAL_REWARD_POINTS: number;
  /** Extra reward for a referrer in the core segment, in percent. */
  @Transform(envNumber) @IsInt() @Min(0) @Max(500) REFERRAL_CORE_BONUS_PERCENT: number;
  /** The longest the points expiry worker sleeps when nothing is announced (it wakes at the next expiry). */
  @Transform(envNumber) @IsInt() @Min(50) @Max(3_600_000) POINTS_EXPIRY_POLL_MS: number;
  /** A qualifying order fully refunded within this many days of the order claws the referral back (30). */
  @Transform(envNumber) @IsInt() @Min(0) @Max(365) REFERRAL_RETURN_WINDOW_DAYS: number;
  /** More referees than this from one referrer within the velocity window hold the referral for review (10). */
  @Transform(envNumber) @IsInt() @Min(1) @Max(10_000) REFERRAL_VELOCITY_LIMIT: number;
  /** The velocity window, in hours (24). */
  @Transform(envNumber) @IsInt() @Min(1) @Max(24 * 90) REFERRAL_VELOCITY_WINDOW_HOURS: number;
}
