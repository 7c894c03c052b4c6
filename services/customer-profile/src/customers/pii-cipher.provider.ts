import type { Provider } from '@nestjs/common';
import { cipherFromConfig, PiiCipher } from '@crm/privacy';
import { ProfileConfig } from '../profile.config';

export { cipherFromConfig };

export const PiiCipherProvider: Provider = {
  provide: PiiCipher,
  useFactory: cipherFromConfig,
  inject: [ProfileConfig],
};
