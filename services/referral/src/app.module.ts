import type { DynamicModule } from '@nestjs/common';
import { serviceApplication } from '@crm/service-kit';
import { ReferralTables1732500000500 } from './migrations/1732500000500-referral-tables';
import { ReferralConfig } from './referral.config';
import { ReferralHandlers } from './referrals/referral.handlers';
import { ReferralsController } from './referrals/referrals.controller';
import { ReferralsRepository } from './referrals/referrals.repository';

export function appModule(config: ReferralConfig): DynamicModule {
  return serviceApplication('referral', config, ReferralConfig, {
    migrations: [ReferralTables1732500000500],
    controllers: [ReferralsController, ReferralHandlers],
    providers: [ReferralsRepository],
  });
}
