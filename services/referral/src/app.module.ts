import type { DynamicModule } from '@nestjs/common';
import { serviceApplication } from '@crm/service-kit';
import { ReferralTables1732500000500 } from './migrations/1732500000500-referral-tables';
import { PointsLedger1732500000510 } from './migrations/1732500000510-points-ledger';
import { Clawbacks1732500000520 } from './migrations/1732500000520-clawbacks';
import { ReferralHolds1732500000530 } from './migrations/1732500000530-referral-holds';
import { ReferralRewards } from './referrals/referral-rewards';
import { PointsExpiryWorker } from './points/points-expiry.worker';
import { PointsLedger } from './points/points-ledger';
import { PointsController } from './points/points.controller';
import { PointsEarnings, PointsHandlers } from './points/points.handlers';
import { ReferralConfig } from './referral.config';
import { ReferralHandlers } from './referrals/referral.handlers';
import { ReferralReviewsController, ReferralsController } from './referrals/referrals.controller';
import { ReferralsRepository } from './referrals/referrals.repository';

export function appModule(config: ReferralConfig): DynamicModule {
  return serviceApplication('referral', config, ReferralConfig, {
    migrations: [
      ReferralTables1732500000500,
      PointsLedger1732500000510,
      Clawbacks1732500000520,
      ReferralHolds1732500000530,
    ],
    controllers: [
      ReferralsController,
      ReferralReviewsController,
      ReferralHandlers,
      PointsController,
      PointsHandlers,
    ],
    providers: [ReferralsRepository, PointsLedger, PointsEarnings, PointsExpiryWorker, ReferralRewards],
  });
}
