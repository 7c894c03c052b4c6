import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { ReferralConfig } from './referral.config';
import { serviceIdentity } from '@crm/contracts';

const service = serviceIdentity('referral');

runService(
  ReferralConfig,
  {
    REFERRAL_REWARD_POINTS: '500',
    REFERRAL_CORE_BONUS_PERCENT: '50',
    ...localDefaults({ PORT: String(service.port) }),
  },
  (config) => ({
    name: service.name,
    module: AppModule.register(config),
    port: config.PORT,
    prefix: service.prefix,
    jwtSecret: config.JWT_SECRET,
    brokers: config.KAFKA_BROKERS,
    consumerGroup: service.consumerGroup,
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    description: 'Referral codes, attribution, qualification on first purchase, and the reward ledger.',
  }),
);
