import './instrumentation';
import { runCatalogService } from '@crm/service-kit';
import { appModule } from './app.module';
import { FEEDBACK_DEFAULTS, FeedbackConfig } from './feedback.config';

runCatalogService('feedback-sla', {
  configClass: FeedbackConfig,
  defaults: FEEDBACK_DEFAULTS,
  module: appModule,
  description: 'Tickets with tiered SLA deadlines, durable breach timers, and satisfaction surveys.',
});
