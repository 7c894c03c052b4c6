import { startTelemetry } from '@crm/observability';

startTelemetry('growth-campaigns');
