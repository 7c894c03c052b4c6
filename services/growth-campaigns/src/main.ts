import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { CampaignsConfig } from './campaigns.config';

runService(
  CampaignsConfig,
  {
    CARE_FREQUENCY_CAP: '3',
    CARE_SERVICE_MOMENT_HOURS: '48',
    CARE_CHANNEL_ADAPTER: 'log',
    ...localDefaults({ PORT: '3106' }),
  },
  (config) => ({
    name: 'growth-campaigns',
    module: AppModule.register(config),
    port: config.PORT,
    prefix: 'campaigns',
    jwtSecret: config.JWT_SECRET,
    brokers: config.KAFKA_BROKERS,
    consumerGroup: 'growth-campaigns',
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    description:
      'Playbooks that turn customer events into care and growth actions, within consent and frequency caps.',
  }),
);
