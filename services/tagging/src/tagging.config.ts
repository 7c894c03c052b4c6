import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { envNumber, ServiceConfig } from '@crm/config';

export class TaggingConfig extends ServiceConfig {
  /** A JSON rule set replacing the defaults (docs/domain-rules.md; services/tagging/src/scoring/default-rules.json). */
  @IsOptional() @IsString() TAGGING_RULES_FILE?: string;
  /** How often a replica looks for a rule set activated elsewhere (scoring itself always uses the active one). */
  @Transform(envNumber) @IsInt() @Min(100) @Max(3_600_000) TAGGING_RULES_REFRESH_MS: number;
  /** Hours between scheduled sweeps (the first at 02:00 UTC after the first start). */
  @Transform(envNumber) @IsNumber() @Min(0.01) @Max(8760) TAGGING_SWEEP_INTERVAL_HOURS: number;
  /**
   * Days between scheduled sweeps that evaluate every customer, not only those whose scores time could have
   * moved (a safety net under the steady ranges: after a rolling upgrade from a version without them, the
   * first scheduled sweep is such a run); 0: never.
   */
  @Transform(envNumber) @IsNumber() @Min(0) @Max(3650) TAGGING_FULL_REVIEW_DAYS: number;
  /** How often replicas look for a due scheduled sweep. */
  @Transform(envNumber) @IsInt() @Min(100) @Max(3_600_000) TAGGING_SCHEDULE_POLL_MS: number;
  /** Statement timeout for evaluating one segment; a segment that exceeds it or fails is suspended. */
  @Transform(envNumber) @IsInt() @Min(100) @Max(600_000) TAGGING_SEGMENT_TIMEOUT_MS: number;
  /** The most segments that can be defined. */
  @Transform(envNumber) @IsInt() @Min(1) @Max(10_000) TAGGING_MAX_SEGMENTS: number;
  /** Staging and tests only: let `POST /sweeps` take an as-of date in the future, to see what time will do. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value === true || value === 'true' || value === '1')
  @IsBoolean()
  TAGGING_ALLOW_FUTURE_SWEEPS?: boolean;
}

export const TAGGING_DEFAULTS: Record<string, string> = {
  TAGGING_SWEEP_INTERVAL_HOURS: '24',
  TAGGING_FULL_REVIEW_DAYS: '7',
  TAGGING_RULES_REFRESH_MS: '10000',
  TAGGING_SCHEDULE_POLL_MS: '30000',
  TAGGING_SEGMENT_TIMEOUT_MS: '15000',
  TAGGING_MAX_SEGMENTS: '200',
};
