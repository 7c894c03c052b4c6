import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';
import { ServiceConfig } from '@crm/config';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);

export class CampaignsConfig extends ServiceConfig {
  /** Marketing touches per customer per channel in a rolling 7 days. */
  @Transform(toInt) @IsInt() @Min(0) @Max(100) CARE_FREQUENCY_CAP: number;
  /** Hours after a complaint during which no marketing is sent. */
  @Transform(toInt) @IsInt() @Min(0) CARE_SERVICE_MOMENT_HOURS: number;
  @IsIn(['log', 'webhook']) CARE_CHANNEL_ADAPTER: 'log' | 'webhook';
  @IsOptional() @IsUrl({ require_tld: false }) CARE_WEBHOOK_URL?: string;
}
