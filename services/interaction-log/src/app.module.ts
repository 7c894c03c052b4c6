import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceConfig } from '@crm/config';
import { ServiceCoreModule } from '@crm/service-kit';
import { InteractionHandlers, InteractionsController } from './interactions/interactions.controller';
import { InteractionsService } from './interactions/interactions.service';
import { InteractionTables1732500000300 } from './migrations/1732500000300-interaction-tables';
import { serviceIdentity } from '@crm/contracts';

@Module({})
export class AppModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forService({
          name: serviceIdentity('interaction-log').name,
          config,
          configClass: ServiceConfig,
          defaultSchema: serviceIdentity('interaction-log').schema,
          entities: [],
          migrations: [InteractionTables1732500000300],
        }),
      ],
      controllers: [InteractionsController, InteractionHandlers],
      providers: [InteractionsService],
    };
  }
}
