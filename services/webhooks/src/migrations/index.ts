import { WebhookTables1732500000700 } from './1732500000700-webhook-tables';
import { DeliveryLeasesIndex1732500000710 } from './1732500000710-delivery-leases-index';

/** webhooks' schema, in order. */
export const WEBHOOK_MIGRATIONS = [WebhookTables1732500000700, DeliveryLeasesIndex1732500000710];
