import './instrumentation';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { CAMPAIGNS_DEFAULTS, CampaignsConfig } from './campaigns.config';

runCatalogService('growth-campaigns', {
  configClass: CampaignsConfig,
  defaults: CAMPAIGNS_DEFAULTS,
  module: appModule,
  description:
    'Playbooks that turn customer events into care and growth actions, within consent and frequency caps.',
});
