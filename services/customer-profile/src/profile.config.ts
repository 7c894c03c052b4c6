import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { envNumber, ServiceConfig } from '@crm/config';
import {
  LOCAL_MASTER_KEY,
  MASTER_KEY_DEFAULTS,
  ValidatesMasterKeys,
  type MasterKeySettings,
} from '@crm/privacy';

export { ValidatesMasterKeys, type MasterKeySettings };

@ValidatesMasterKeys()
export class ProfileConfig extends ServiceConfig implements MasterKeySettings {
  PII_MASTER_KEY: string;
  PII_MASTER_KEY_ID: string;
  PII_PREVIOUS_MASTER_KEYS?: string;
  /** 32 bytes, base64: keys the e-mail and phone hashes used for duplicate checks. */
  @IsString() @MinLength(44) PII_HASH_KEY: string;
  /** Rows (customers) or order lines (purchases) a bulk import writes per transaction (1,000). */
  @IsOptional()
  @Transform(envNumber)
  @IsInt()
  @Min(1)
  @Max(5000)
  IMPORT_BATCH_ROWS?: number;
  /**
   * How long a bulk import may hold the service's events in the outbox (300 s): they go out when it ends, or
   * when this runs out. 0 publishes them as they are written.
   */
  @IsOptional()
  @Transform(envNumber)
  @IsInt()
  @Min(0)
  @Max(3600)
  IMPORT_RELAY_HOLD_SECONDS?: number;
}

export const PROFILE_DEFAULTS = MASTER_KEY_DEFAULTS;

/** Well-known keys for local development only (never applied with NODE_ENV=production). */
export const PROFILE_LOCAL_SECRETS = {
  ...LOCAL_MASTER_KEY,
  PII_HASH_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtaGFzaGluZy1rZXktMzI=',
};
