import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { FEEDBACK_DEFAULTS, FeedbackConfig } from './feedback.config';

runService(FeedbackConfig, { ...FEEDBACK_DEFAULTS, ...localDefaults({ PORT: '3104' }) }, (config) => ({
  name: 'feedback-sla',
  module: AppModule.register(config),
  port: config.PORT,
  prefix: 'feedback',
  jwtSecret: config.JWT_SECRET,
  brokers: config.KAFKA_BROKERS,
  consumerGroup: 'feedback-sla',
  maxAttempts: config.EVENT_MAX_ATTEMPTS,
  description: 'Tickets with tiered SLA deadlines, durable breach timers, and satisfaction surveys.',
}));
