import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { ProfileConfig } from './profile.config';
import { serviceIdentity } from '@crm/contracts';

const service = serviceIdentity('customer-profile');

runService(
  ProfileConfig,
  localDefaults({
    PORT: String(service.port),
    PII_MASTER_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtbWFzdGVyLWtleS0zMmI=',
    PII_HASH_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtaGFzaGluZy1rZXktMzI=',
  }),
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
      'Customers, contacts (encrypted), consents and purchases; the source of the purchase cascade.',
  }),
);
