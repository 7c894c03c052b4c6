import { startTelemetry } from '@crm/observability';

startTelemetry('webhooks');
