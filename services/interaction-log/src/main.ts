import './instrumentation';
import { ServiceConfig } from '@crm/config';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { serviceIdentity } from '@crm/contracts';

const service = serviceIdentity('interaction-log');

runService(ServiceConfig, localDefaults({ PORT: String(service.port) }), (config) => ({
  name: service.name,
  module: AppModule.register(config),
  port: config.PORT,
  prefix: service.prefix,
  jwtSecret: config.JWT_SECRET,
  brokers: config.KAFKA_BROKERS,
  consumerGroup: service.consumerGroup,
  maxAttempts: config.EVENT_MAX_ATTEMPTS,
  description: 'The interaction log: every touch with a customer, by agents and automated care actions.',
}));
