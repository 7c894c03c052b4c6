import { startTelemetry } from '@crm/observability';

startTelemetry('referral');
