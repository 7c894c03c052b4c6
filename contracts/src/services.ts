import { ConsumerGroups, type ConsumerGroupName } from './topics';

/**
 * Who each service is, written once: its name, default HTTP port, route prefix (unique, so one ingress
 * routes all), Postgres schema and consumer group. The services, `npm start`, the test harness and the
 * Helm chart's test read it from here.
 */
export interface ServiceIdentity {
  name: ConsumerGroupName;
  port: number;
  prefix: string;
  schema: string;
  consumerGroup: ConsumerGroupName;
}

export const SERVICE_CATALOG: readonly ServiceIdentity[] = [
  { name: ConsumerGroups.customerProfile, port: 3101, prefix: 'profile', schema: 'customer_profile' },
  { name: ConsumerGroups.tagging, port: 3102, prefix: 'tagging', schema: 'tagging' },
  { name: ConsumerGroups.interactionLog, port: 3103, prefix: 'interactions', schema: 'interaction_log' },
  { name: ConsumerGroups.feedbackSla, port: 3104, prefix: 'feedback', schema: 'feedback_sla' },
  { name: ConsumerGroups.referral, port: 3105, prefix: 'referral', schema: 'referral' },
  { name: ConsumerGroups.growthCampaigns, port: 3106, prefix: 'campaigns', schema: 'growth_campaigns' },
  { name: ConsumerGroups.webhooks, port: 3107, prefix: 'webhooks', schema: 'webhooks' },
].map((s) => ({ ...s, consumerGroup: s.name }));

export function serviceIdentity(name: ConsumerGroupName): ServiceIdentity {
  const service = SERVICE_CATALOG.find((s) => s.name === name);
  if (!service) throw new Error(`no service ${name} in the catalog`);
  return service;
}

/** SERVICE_URLS for the catalog's services on this machine, on their default ports shifted by `portOffset`. */
export function localServiceUrls(portOffset = 0): string {
  return SERVICE_CATALOG.map((s) => `${s.name}=http://127.0.0.1:${s.port + portOffset}`).join(',');
}
