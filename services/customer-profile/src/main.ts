import './instrumentation';
import { loadConfig } from '@crm/config';
import { bootstrapService, localDefaults } from '@crm/service-kit';
import { AppModule } from './app.module';
import { ProfileConfig } from './profile.config';

const config = loadConfig(
  ProfileConfig,
  process.env,
  localDefaults({
    PORT: '3101',
    PII_MASTER_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtbWFzdGVyLWtleS0zMmI=',
    PII_HASH_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtaGFzaGluZy1rZXktMzI=',
  }),
);

void bootstrapService({
  name: 'customer-profile',
  module: AppModule.register(config),
  port: config.PORT,
  prefix: 'profile',
  jwtSecret: config.JWT_SECRET,
  brokers: config.KAFKA_BROKERS,
  consumerGroup: 'customer-profile',
  maxAttempts: config.EVENT_MAX_ATTEMPTS,
  description: 'Customers, contacts (encrypted), consents and purchases; the source of the purchase cascade.',
});
