import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { TAGGING_DEFAULTS, TaggingConfig } from './tagging.config';
import { serviceIdentity } from '@crm/contracts';

const service = serviceIdentity('tagging');

runService(
  TaggingConfig,
  { ...TAGGING_DEFAULTS, ...localDefaults({ PORT: String(service.port) }) },
  (config) => ({
    name: service.name,
    module: AppModule.register(config),
    port: config.PORT,
    prefix: service.prefix,
    jwtSecret: config.JWT_SECRET,
    brokers: config.KAFKA_BROKERS,
    consumerGroup: service.consumerGroup,
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    description:
      'RFM scores, value tiers, value-loyalty segments, membership levels, lifecycle stages and tags.',
  }),
);
