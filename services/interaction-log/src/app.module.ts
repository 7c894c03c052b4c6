import type { DynamicModule } from '@nestjs/common';
import { ServiceConfig } from '@crm/config';
import { serviceApplication } from '@crm/service-kit';
import { InteractionHandlers, InteractionsController } from './interactions/interactions.controller';
import { InteractionsService } from './interactions/interactions.service';
import { InteractionTables1732500000300 } from './migrations/1732500000300-interaction-tables';

export function appModule(config: ServiceConfig): DynamicModule {
  return serviceApplication('interaction-log', config, ServiceConfig, {
    migrations: [InteractionTables1732500000300],
    controllers: [InteractionsController, InteractionHandlers],
    providers: [InteractionsService],
  });
}
