import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { TAGGING_DEFAULTS, TaggingConfig } from './tagging.config';

runService(TaggingConfig, { ...TAGGING_DEFAULTS, ...localDefaults({ PORT: '3102' }) }, (config) => ({
  name: 'tagging',
  module: AppModule.register(config),
  port: config.PORT,
  prefix: 'tagging',
  jwtSecret: config.JWT_SECRET,
  brokers: config.KAFKA_BROKERS,
  consumerGroup: 'tagging',
  maxAttempts: config.EVENT_MAX_ATTEMPTS,
  description:
    'RFM scores, value tiers, value-loyalty segments, membership levels, lifecycle stages and tags.',
}));
