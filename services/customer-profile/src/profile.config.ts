import { IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { ServiceConfig } from '@crm/config';

/** The master keys, as the service and the rotation command read them. */
export interface MasterKeySettings {
  /** 32 bytes, base64: the current master key, which wraps every new customer data key. */
  PII_MASTER_KEY: string;
  /** The current master key's id, stored beside each data key it wraps. */
  PII_MASTER_KEY_ID: string;
  /**
   * Earlier master keys, `id:base64` comma-separated: they still unwrap data keys until the rotation command
   * has re-wrapped every one under the current key; then they can be removed.
   */
  PII_PREVIOUS_MASTER_KEYS?: string;
}

/** A class decorator: validates the `MasterKeySettings` fields of the config class it is put on. */
export function ValidatesMasterKeys(): ClassDecorator {
  return (target) => {
    const prototype = target.prototype as object;
    IsString()(prototype, 'PII_MASTER_KEY');
    MinLength(44, { message: 'PII_MASTER_KEY must be 32 bytes, base64-encoded' })(
      prototype,
      'PII_MASTER_KEY',
    );
    Matches(/^[A-Za-z0-9._-]{1,64}$/, {
      message: 'PII_MASTER_KEY_ID must be 1-64 letters, digits, ".", "_" or "-"',
    })(prototype, 'PII_MASTER_KEY_ID');
    IsOptional()(prototype, 'PII_PREVIOUS_MASTER_KEYS');
    IsString()(prototype, 'PII_PREVIOUS_MASTER_KEYS');
  };
}

@ValidatesMasterKeys()
export class ProfileConfig extends ServiceConfig implements MasterKeySettings {
  PII_MASTER_KEY: string;
  PII_MASTER_KEY_ID: string;
  PII_PREVIOUS_MASTER_KEYS?: string;
  /** 32 bytes, base64: keys the e-mail and phone hashes used for duplicate checks. */
  @IsString() @MinLength(44) PII_HASH_KEY: string;
}

/** For every environment: keys wrapped before master-key ids existed are under `initial`. */
export const PROFILE_DEFAULTS = { PII_MASTER_KEY_ID: 'initial' };

/** Well-known keys for local development only (never applied with NODE_ENV=production). */
export const PROFILE_LOCAL_SECRETS = {
  PII_MASTER_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtbWFzdGVyLWtleS0zMmI=',
  PII_HASH_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtaGFzaGluZy1rZXktMzI=',
};
