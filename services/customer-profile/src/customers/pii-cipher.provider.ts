import type { Provider } from '@nestjs/common';
import { PiiCipher } from '@crm/privacy';
import { ProfileConfig, type MasterKeySettings } from '../profile.config';

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

export const PiiCipherProvider: Provider = {
  provide: PiiCipher,
  useFactory: cipherFromConfig,
  inject: [ProfileConfig],
};
