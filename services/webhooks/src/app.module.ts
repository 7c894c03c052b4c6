import type { DynamicModule } from '@nestjs/common';
import { serviceApplication } from '@crm/service-kit';
import { WebhookDispatcher } from './deliveries/dispatcher';
import { FanOut } from './deliveries/fan-out';
import { WebhookEventsHandler } from './deliveries/webhook-events.handler';
import { WEBHOOK_MIGRATIONS } from './migrations';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { SubscriptionsService } from './subscriptions/subscriptions.service';
import { WebhooksConfig } from './webhooks.config';

export function appModule(config: WebhooksConfig): DynamicModule {
  return serviceApplication('webhooks', config, WebhooksConfig, {
    migrations: WEBHOOK_MIGRATIONS,
    controllers: [SubscriptionsController, WebhookEventsHandler],
    providers: [SubscriptionsService, FanOut, WebhookDispatcher],
  });
}
