import { IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { PiiCipher } from './pii-cipher';

/** The master keys, as a service and the rotation command read them. */
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

/** For every environment: keys wrapped before master-key ids existed are under `initial`. */
export const MASTER_KEY_DEFAULTS = { PII_MASTER_KEY_ID: 'initial' };

/** The well-known master key of local development only (never applied with NODE_ENV=production). */
export const LOCAL_MASTER_KEY = { PII_MASTER_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtbWFzdGVyLWtleS0zMmI=' };

export function cipherFromConfig(config: MasterKeySettings & { PII_HASH_KEY?: string }): PiiCipher {
  return new PiiCipher(
    {
      currentId: config.PII_MASTER_KEY_ID,
      current: config.PII_MASTER_KEY,
      previous: config.PII_PREVIOUS_MASTER_KEYS,
    },
    config.PII_HASH_KEY,
  );
}
