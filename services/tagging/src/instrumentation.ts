import { startTelemetry } from '@crm/observability';

startTelemetry('tagging');
