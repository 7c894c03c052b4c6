import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { ReferralConfig } from './referral.config';

runService(
  ReferralConfig,
  { REFERRAL_REWARD_POINTS: '500', REFERRAL_CORE_BONUS_PERCENT: '50', ...localDefaults({ PORT: '3105' }) },
  (config) => ({
    name: 'referral',
    module: AppModule.register(config),
    port: config.PORT,
    prefix: 'referral',
    jwtSecret: config.JWT_SECRET,
    brokers: config.KAFKA_BROKERS,
    consumerGroup: 'referral',
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    description: 'Referral codes, attribution, qualification on first purchase, and the reward ledger.',
  }),
);
