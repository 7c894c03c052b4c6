import { startTelemetry } from '@crm/observability';

startTelemetry('customer-profile');
