import './instrumentation';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { TAGGING_DEFAULTS, TaggingConfig } from './tagging.config';

runCatalogService('tagging', {
  configClass: TaggingConfig,
  defaults: TAGGING_DEFAULTS,
  module: appModule,
  description:
    'RFM scores, value tiers, value-loyalty segments, membership levels, lifecycle stages and tags.',
});
