import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { ProfileConfig } from './profile.config';

runService(
  ProfileConfig,
  localDefaults({
    PORT: '3101',
    PII_MASTER_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtbWFzdGVyLWtleS0zMmI=',
    PII_HASH_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtaGFzaGluZy1rZXktMzI=',
  }),
  (config) => ({
    name: 'customer-profile',
    module: AppModule.register(config),
    port: config.PORT,
    prefix: 'profile',
    jwtSecret: config.JWT_SECRET,
    brokers: config.KAFKA_BROKERS,
    consumerGroup: 'customer-profile',
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    description:
      'Customers, contacts (encrypted), consents and purchases; the source of the purchase cascade.',
  }),
);
