import { EVENT_CATALOG } from './registry';
import { SUBSCRIPTIONS } from './catalog-markdown';
import { SERVICE_CATALOG } from './services';
import { deadLetterTopic, TOPIC_CATALOG, type ConsumerGroupName } from './topics';

/**
 * What each service may do on Kafka, derived from the contracts: produce to the topics it owns and to its
 * dead-letter topic, consume the topics it subscribes to, with consumer groups named after it. The local
 * secured broker, its test and the Helm chart's Strimzi `KafkaUser`s all use this one list.
 */
export interface ServiceKafkaAcl {
  resource: 'topic' | 'group';
  name: string;
  patternType: 'literal' | 'prefix';
  operations: ('Read' | 'Write' | 'Describe')[];
}

/** The service that publishes each topic: `ce_source` of every record on it is `/crm/<owner>`. */
export function topicOwner(topic: string): ConsumerGroupName | undefined {
  return TOPIC_CATALOG.find((t) => t.name === topic)?.owner;
}

/** The topics a service's handlers subscribe to. */
export function subscribedTopics(service: ConsumerGroupName): string[] {
  return [
    ...new Set(
      EVENT_CATALOG.filter((d) => (SUBSCRIPTIONS[d.type] ?? []).includes(service)).map(
        (d): string => d.topic,
      ),
    ),
  ].sort();
}

export function serviceKafkaAcls(service: ConsumerGroupName): ServiceKafkaAcl[] {
  const owned: string[] = TOPIC_CATALOG.filter((t) => t.owner === service).map((t) => t.name);
  const subscribed = subscribedTopics(service);
  const acls: ServiceKafkaAcl[] = [];
  for (const topic of [...new Set([...owned, ...subscribed])].sort())
    acls.push({
      resource: 'topic',
      name: topic,
      patternType: 'literal',
      operations: [
        ...(subscribed.includes(topic) ? (['Read'] as const) : []),
        ...(owned.includes(topic) ? (['Write'] as const) : []),
        'Describe',
      ],
    });
  acls.push({
    resource: 'topic',
    name: deadLetterTopic(service),
    patternType: 'literal',
    operations: ['Write', 'Describe'],
  });
  // The service's group, and groups it may start for a replay (`<service>-…`).
  acls.push({ resource: 'group', name: service, patternType: 'prefix', operations: ['Read', 'Describe'] });
  return acls;
}

/** Every service's ACLs, for the chart (`deploy/helm/crm-platform/files/kafka-acls.json`). */
export function platformKafkaAcls(): Record<string, ServiceKafkaAcl[]> {
  return Object.fromEntries(SERVICE_CATALOG.map((s) => [s.name, serviceKafkaAcls(s.name)]));
}
