import './instrumentation';
import { ServiceConfig } from '@crm/config';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';

runCatalogService('interaction-log', {
  configClass: ServiceConfig,
  module: appModule,
  description: 'The interaction log: every touch with a customer, by agents and automated care actions.',
});
