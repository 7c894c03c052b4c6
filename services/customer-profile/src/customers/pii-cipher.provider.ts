import type { Provider } from '@nestjs/common';
import { PiiCipher } from '@crm/privacy';
import { ProfileConfig } from '../profile.config';

export const PiiCipherProvider: Provider = {
  provide: PiiCipher,
  useFactory: (config: ProfileConfig) => new PiiCipher(config.PII_MASTER_KEY, config.PII_HASH_KEY),
  inject: [ProfileConfig],
};
