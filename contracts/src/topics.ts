/**
 * The topic catalog. Every customer topic is keyed by the customer id so that one customer's events stay in
 * order; `crm.segments.v1`, about segment definitions rather than customers, is keyed by the segment id,
 * and `crm.rule-sets.v1` by the configuration it versions (`scoring`).
 * Partition counts are defaults; deployments override them with KAFKA_TOPIC_PARTITIONS.
 */
export const Topics = {
  customers: 'crm.customers.v1',
  purchases: 'crm.purchases.v1',
  scoring: 'crm.scoring.v1',
  careActions: 'crm.care-actions.v1',
  interactions: 'crm.interactions.v1',
  referrals: 'crm.referrals.v1',
  feedback: 'crm.feedback.v1',
  segments: 'crm.segments.v1',
  customerState: 'crm.customer-state.v1',
  webhooks: 'crm.webhooks.v1',
  plans: 'crm.plans.v1',
  ruleSets: 'crm.rule-sets.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export interface TopicSpec {
  name: TopicName;
  description: string;
  /** Default partition count; at least 6 so that consumers can scale out. */
  partitions: number;
  /** The one service that publishes to it (`ce_source` `/crm/<owner>`); the others may only read it. */
  owner: ConsumerGroupName;
  /** The payload field whose value is the Kafka key (and `ce_subject`). */
  key: 'customerId' | 'segmentId' | 'subscriptionId' | 'planId' | 'ruleSet';
  retentionMs: number;
  /** `delete` for event history; `compact` for a topic that keeps the latest record per key. */
  cleanupPolicy: 'delete' | 'compact';
}

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

const CUSTOMER_TOPICS: readonly TopicSpec[] = [
  {
    name: Topics.customers,
    owner: 'customer-profile',
    description: 'Customer registered, updated, consent changed, erasure requested',
  },
  { name: Topics.purchases, owner: 'customer-profile', description: 'Purchases recorded against a customer' },
  {
    name: Topics.scoring,
    owner: 'tagging',
    description: 'RFM re-scoring, lifecycle stage, membership level and segment changes',
  },
  {
    name: Topics.careActions,
    owner: 'growth-campaigns',
    description: 'Care and growth actions triggered for a customer',
  },
  { name: Topics.interactions, owner: 'interaction-log', description: 'Interactions logged with a customer' },
  {
    name: Topics.referrals,
    owner: 'referral',
    description: 'Referral attribution, qualification and rewards; care points movements',
  },
  {
    name: Topics.feedback,
    owner: 'feedback-sla',
    description: 'Tickets, SLA warnings and breaches, surveys',
  },
].map((t) => ({
  ...t,
  owner: t.owner as ConsumerGroupName,
  partitions: 6,
  key: 'customerId' as const,
  retentionMs: THIRTY_DAYS_MS,
  cleanupPolicy: 'delete' as const,
}));

/** Topics about things other than one customer's history: segment definitions, and the compacted state. */
const OTHER_TOPICS: readonly TopicSpec[] = [
  {
    name: Topics.segments,
    owner: 'tagging',
    description: 'Segment definitions suspended because their evaluation failed',
    partitions: 6,
    key: 'segmentId',
    retentionMs: THIRTY_DAYS_MS,
    cleanupPolicy: 'delete',
  },
  {
    name: Topics.customerState,
    owner: 'tagging',
    description: "Each customer's latest non-personal state, compacted: the newest record per customer id",
    partitions: 6,
    key: 'customerId',
    retentionMs: -1,
    cleanupPolicy: 'compact',
  },
  {
    name: Topics.webhooks,
    owner: 'webhooks',
    description: 'Webhook subscriptions paused and resumed',
    partitions: 6,
    key: 'subscriptionId',
    retentionMs: THIRTY_DAYS_MS,
    cleanupPolicy: 'delete',
  },
  {
    name: Topics.plans,
    owner: 'interaction-log',
    description: 'Improvement plans: cross-team tasks delayed or escalated',
    partitions: 6,
    key: 'planId',
    retentionMs: THIRTY_DAYS_MS,
    cleanupPolicy: 'delete',
  },
  {
    name: Topics.ruleSets,
    owner: 'tagging',
    description: 'Versioned configuration changed at run time: scoring rule sets activated and rolled back',
    partitions: 6,
    key: 'ruleSet',
    retentionMs: THIRTY_DAYS_MS,
    cleanupPolicy: 'delete',
  },
];

export const TOPIC_CATALOG: readonly TopicSpec[] = [...CUSTOMER_TOPICS, ...OTHER_TOPICS];

/** Consumer groups that exist in the platform; each has its own dead-letter topic. */
export const ConsumerGroups = {
  customerProfile: 'customer-profile',
  tagging: 'tagging',
  interactionLog: 'interaction-log',
  feedbackSla: 'feedback-sla',
  referral: 'referral',
  growthCampaigns: 'growth-campaigns',
  webhooks: 'webhooks',
} as const;

export type ConsumerGroupName = (typeof ConsumerGroups)[keyof typeof ConsumerGroups];

/** The dead-letter topic of a consumer group: original bytes and headers plus the reason. */
export function deadLetterTopic(consumerGroup: string): string {
  return `crm.dlq.${consumerGroup}`;
}
