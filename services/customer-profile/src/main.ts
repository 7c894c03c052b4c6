import './instrumentation';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { ProfileConfig } from './profile.config';

runCatalogService('customer-profile', {
  configClass: ProfileConfig,
  localOnly: {
    PII_MASTER_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtbWFzdGVyLWtleS0zMmI=',
    PII_HASH_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQtaGFzaGluZy1rZXktMzI=',
  },
  module: appModule,
  description: 'Customers, contacts (encrypted), consents and purchases; the source of the purchase cascade.',
});
