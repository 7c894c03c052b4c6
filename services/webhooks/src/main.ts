import './instrumentation';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { WEBHOOKS_DEFAULTS, WebhooksConfig } from './webhooks.config';

runCatalogService('webhooks', {
  configClass: WebhooksConfig,
  defaults: WEBHOOKS_DEFAULTS,
  module: appModule,
  description:
    'Webhook subscriptions for teams not on Kafka: signed (Standard Webhooks), ordered per customer, retried, paused and resumed, replayable.',
});
