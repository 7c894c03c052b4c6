import './instrumentation';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { CampaignsConfig } from './campaigns.config';

runCatalogService('growth-campaigns', {
  configClass: CampaignsConfig,
  defaults: { CARE_FREQUENCY_CAP: '3', CARE_SERVICE_MOMENT_HOURS: '48', CARE_CHANNEL_ADAPTER: 'log' },
  module: appModule,
  description:
    'Playbooks that turn customer events into care and growth actions, within consent and frequency caps.',
});
