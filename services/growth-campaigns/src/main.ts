import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { CampaignsConfig } from './campaigns.config';
import { serviceIdentity } from '@crm/contracts';

const service = serviceIdentity('growth-campaigns');

runService(
  CampaignsConfig,
  {
    CARE_FREQUENCY_CAP: '3',
    CARE_SERVICE_MOMENT_HOURS: '48',
    CARE_CHANNEL_ADAPTER: 'log',
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
    description:
      'Playbooks that turn customer events into care and growth actions, within consent and frequency caps.',
  }),
);
