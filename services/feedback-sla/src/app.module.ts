import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@crm/service-kit';
import { FeedbackConfig } from './feedback.config';
import { FeedbackTables1732500000400 } from './migrations/1732500000400-feedback-tables';
import { FeedbackHandlers } from './surveys/feedback.handlers';
import { SlaGauges } from './tickets/sla.metrics';
import { SlaTimerWorker } from './tickets/sla-timer.worker';
import { TicketsController } from './tickets/tickets.controller';
import { TicketsService } from './tickets/tickets.service';

@Module({})
export class AppModule {
  static register(config: FeedbackConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forService({
          name: 'feedback-sla',
          config,
          configClass: FeedbackConfig,
          defaultSchema: 'feedback_sla',
          entities: [],
          migrations: [FeedbackTables1732500000400],
        }),
      ],
      controllers: [TicketsController, FeedbackHandlers],
      providers: [TicketsService, SlaTimerWorker, SlaGauges],
    };
  }
}
