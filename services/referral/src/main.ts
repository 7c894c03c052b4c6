import './instrumentation';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { ReferralConfig } from './referral.config';

runCatalogService('referral', {
  configClass: ReferralConfig,
  defaults: {
    REFERRAL_REWARD_POINTS: '500',
    REFERRAL_RETURN_WINDOW_DAYS: '30',
    REFERRAL_VELOCITY_LIMIT: '10',
    REFERRAL_VELOCITY_WINDOW_HOURS: '24',
    REFERRAL_CORE_BONUS_PERCENT: '50',
    POINTS_EXPIRY_POLL_MS: '300000',
  },
  module: appModule,
  description: 'Referral codes, attribution, qualification on first purchase, and the reward ledger.',
});
