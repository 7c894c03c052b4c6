import './instrumentation';
import { localDefaults, runService } from '@crm/service-kit';
import { AppModule } from './app.module';
import { FEEDBACK_DEFAULTS, FeedbackConfig } from './feedback.config';
import { serviceIdentity } from '@crm/contracts';

const service = serviceIdentity('feedback-sla');

runService(
  FeedbackConfig,
  { ...FEEDBACK_DEFAULTS, ...localDefaults({ PORT: String(service.port) }) },
  (config) => ({
    name: service.name,
    module: AppModule.register(config),
    port: config.PORT,
    prefix: service.prefix,
    jwtSecret: config.JWT_SECRET,
    brokers: config.KAFKA_BROKERS,
    consumerGroup: service.consumerGroup,
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    description: 'Tickets with tiered SLA deadlines, durable breach timers, and satisfaction surveys.',
  }),
);
