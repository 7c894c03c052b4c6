import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { envNumber, ServiceConfig } from '@crm/config';
import { MASTER_KEY_DEFAULTS, ValidatesMasterKeys, type MasterKeySettings } from '@crm/privacy';

/** The master keys wrap the customers' text keys (need descriptions and solutions). */
@ValidatesMasterKeys()
export class InteractionLogConfig extends ServiceConfig implements MasterKeySettings {
  PII_MASTER_KEY: string;
  PII_MASTER_KEY_ID: string;
  PII_PREVIOUS_MASTER_KEYS?: string;
  /**
   * The longest the work timers (overdue needs, delayed and late plan tasks) sleep when nothing is
   * announced: they wake at the next due time and when a deadline is set (NOTIFY).
   */
  @Transform(envNumber) @IsInt() @Min(50) @Max(3_600_000) WORK_TIMER_POLL_MS: number;
  /** A plan task with no progress note for this many days is flagged delayed (the handbook: two weeks). */
  @Transform(envNumber) @IsInt() @Min(1) @Max(365) PLAN_TASK_STALL_DAYS: number;
  /** A task still open this many days after its deadline escalates from its department to the executive. */
  @Transform(envNumber) @IsInt() @Min(1) @Max(365) PLAN_TASK_EXECUTIVE_AFTER_DAYS: number;
}

export const INTERACTION_LOG_DEFAULTS: Record<string, string> = {
  ...MASTER_KEY_DEFAULTS,
  WORK_TIMER_POLL_MS: '60000',
  PLAN_TASK_STALL_DAYS: '14',
  PLAN_TASK_EXECUTIVE_AFTER_DAYS: '7',
};
