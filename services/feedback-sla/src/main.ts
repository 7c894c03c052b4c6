import './instrumentation';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { LOCAL_MASTER_KEY } from '@crm/privacy';
import { FEEDBACK_DEFAULTS, FeedbackConfig } from './feedback.config';

runCatalogService('feedback-sla', {
  configClass: FeedbackConfig,
  defaults: FEEDBACK_DEFAULTS,
  localOnly: LOCAL_MASTER_KEY,
  module: appModule,
  description: 'Tickets with tiered SLA deadlines, durable breach timers, and satisfaction surveys.',
});
