import './instrumentation';
import { ServiceConfig } from '@crm/config';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';

runService(ServiceConfig, localDefaults({ PORT: '3103' }), (config) => ({
  name: 'interaction-log',
  module: AppModule.register(config),
  port: config.PORT,
  prefix: 'interactions',
  jwtSecret: config.JWT_SECRET,
  brokers: config.KAFKA_BROKERS,
  consumerGroup: 'interaction-log',
  maxAttempts: config.EVENT_MAX_ATTEMPTS,
  description: 'The interaction log: every touch with a customer, by agents and automated care actions.',
}));
