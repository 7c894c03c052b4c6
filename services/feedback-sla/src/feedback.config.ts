import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { ServiceConfig } from '@crm/config';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);

export class FeedbackConfig extends ServiceConfig {
  /** How often due SLA timers are looked for; bounds how late a breach can be reported. */
  @Transform(toInt) @IsInt() @Min(50) @Max(60000) SLA_TIMER_POLL_MS: number;
}
