import type { DynamicModule } from '@nestjs/common';
import { cipherFromConfig, PersonalTexts, personalTextKeysMigration } from '@crm/privacy';
import { serviceApplication } from '@crm/service-kit';
import { InteractionLogConfig } from './interaction-log.config';
import { InteractionHandlers, InteractionsController } from './interactions/interactions.controller';
import { InteractionsService } from './interactions/interactions.service';
import { InteractionTables1732500000300 } from './migrations/1732500000300-interaction-tables';
import { NeedsPlans1732500000310 } from './migrations/1732500000310-needs-plans';
import { NeedsController } from './needs/needs.controller';
import { NeedsService } from './needs/needs.service';
import { PlansController } from './plans/plans.controller';
import { PlansService } from './plans/plans.service';
import { WorkTimersWorker } from './work/work-timers.worker';

export function appModule(config: InteractionLogConfig): DynamicModule {
  return serviceApplication('interaction-log', config, InteractionLogConfig, {
    migrations: [
      InteractionTables1732500000300,
      NeedsPlans1732500000310,
      personalTextKeysMigration(1732500000311),
    ],
    controllers: [InteractionsController, InteractionHandlers, NeedsController, PlansController],
    providers: [
      InteractionsService,
      NeedsService,
      PlansService,
      WorkTimersWorker,
      {
        provide: PersonalTexts,
        useFactory: (c: InteractionLogConfig) => new PersonalTexts(cipherFromConfig(c)),
        inject: [InteractionLogConfig],
      },
    ],
  });
}
