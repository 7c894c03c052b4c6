import { startTelemetry } from '@crm/observability';

startTelemetry('interaction-log');
