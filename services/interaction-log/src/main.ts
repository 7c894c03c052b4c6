import './instrumentation';
import { LOCAL_MASTER_KEY } from '@crm/privacy';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { INTERACTION_LOG_DEFAULTS, InteractionLogConfig } from './interaction-log.config';

runCatalogService('interaction-log', {
  configClass: InteractionLogConfig,
  defaults: INTERACTION_LOG_DEFAULTS,
  localOnly: LOCAL_MASTER_KEY,
  module: appModule,
  description:
    "The account manager's records: every touch with a customer, the customer needs register, and improvement plans with their cross-team tasks.",
});
