import { startTelemetry } from '@crm/observability';

startTelemetry('feedback-sla');
