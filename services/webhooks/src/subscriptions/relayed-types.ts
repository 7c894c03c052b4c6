import { ConsumerGroups, EVENT_CATALOG, SUBSCRIPTIONS } from '@crm/contracts';

/** The event types the webhooks service relays: every type but its own (contracts' SUBSCRIPTIONS). */
export const RELAYED_TYPES: string[] = EVENT_CATALOG.filter((d) =>
  (SUBSCRIPTIONS[d.type] ?? []).includes(ConsumerGroups.webhooks),
).map((d) => d.type);

/**
 * A segment filter names one membership of the customer the event is about, as the compacted state topic
 * carries it: `tier:<value tier>`, `value-loyalty:<segment>`, `membership:<level>`, `stage:<lifecycle stage>`,
 * `custom:<segment id>` or `tag:<tag>`.
 */
export const SEGMENT_FILTER_PATTERN =
  /^(tier|value-loyalty|membership|stage|custom|tag):[A-Za-z0-9._:-]{1,64}$/;
