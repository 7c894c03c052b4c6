import { EVENT_CATALOG } from './registry';
import { ConsumerGroups, deadLetterTopic, TOPIC_CATALOG, Topics } from './topics';

/** Which platform services consume which event types (webhooks, which relays them all, is added below). */
const SERVICE_SUBSCRIPTIONS: Record<string, string[]> = {
  'crm.customer.registered.v1': ['tagging', 'growth-campaigns', 'referral'],
  'crm.customer.updated.v1': ['tagging', 'growth-campaigns'],
  'crm.consent.changed.v1': ['growth-campaigns', 'tagging'],
  'crm.customer.erased.v1': ['referral', 'interaction-log', 'feedback-sla', 'growth-campaigns', 'tagging'],
  'crm.purchase.recorded.v1': ['tagging', 'growth-campaigns', 'referral', 'feedback-sla'],
  'crm.payment.recorded.v1': ['growth-campaigns'],
  'crm.customer.rescored.v1': ['growth-campaigns', 'referral', 'feedback-sla'],
  'crm.lifecycle-stage.changed.v1': ['growth-campaigns'],
  'crm.segment.changed.v1': ['growth-campaigns'],
  'crm.care-action.triggered.v1': ['interaction-log'],
  'crm.interaction.logged.v1': ['tagging', 'growth-campaigns'],
  'crm.owner-task.created.v1': [],
  'crm.date-trigger.due.v1': ['growth-campaigns'],
  'crm.ticket.requested.v1': ['feedback-sla'],
  'crm.points.grant-requested.v1': ['referral'],
  'crm.points.changed.v1': [],
  'crm.membership.changed.v1': ['growth-campaigns'],
  'crm.churn-risk.changed.v1': ['growth-campaigns'],
  'crm.ticket.resolved.v1': ['tagging'],
  'crm.ticket.changed.v1': [],
  'crm.purchase.refunded.v1': ['tagging', 'growth-campaigns', 'referral'],
  'crm.reward.clawed-back.v1': [],
  'crm.referral.held.v1': [],
  'crm.referral.attributed.v1': ['tagging'],
  'crm.referral.qualified.v1': ['tagging'],
  'crm.need.recorded.v1': ['tagging'],
  'crm.need.changed.v1': ['tagging'],
  'crm.need.overdue.v1': ['growth-campaigns'],
  'crm.plan-task.delayed.v1': [],
  'crm.plan-task.escalated.v1': [],
  'crm.ticket.opened.v1': ['growth-campaigns', 'tagging'],
  'crm.category-exclusions.changed.v1': ['growth-campaigns'],
  'crm.feedback.scored.v1': ['tagging', 'growth-campaigns', 'referral'],
  'crm.survey.requested.v1': ['growth-campaigns'],
  'crm.segment.suspended.v1': [],
  'crm.scoring-rules.activated.v1': [],
  'crm.staff-notification.requested.v1': ['growth-campaigns'],
  'crm.care.delivery-failed.v1': [],
  'crm.customer-state.snapshot.v1': ['growth-campaigns'],
  'crm.webhook-subscription.paused.v1': [],
  'crm.webhook-subscription.resumed.v1': [],
};

/**
 * Which services consume which event types: the subscriptions, registered in one place for the docs and the
 * Kafka ACLs. The webhooks service consumes every type but its own, to relay them to subscribed endpoints.
 */
export const SUBSCRIPTIONS: Record<string, string[]> = Object.fromEntries(
  EVENT_CATALOG.map((d) => [
    d.type,
    [
      ...(SERVICE_SUBSCRIPTIONS[d.type] ?? []),
      ...(d.topic === Topics.webhooks ? [] : [ConsumerGroups.webhooks]),
    ],
  ]),
);

/** The event catalog as Markdown (docs/event-catalog.md is generated from this and checked by a test). */
export function renderEventCatalog(): string {
  const lines = [
    '# Event catalog',
    '',
    'Generated from `contracts/` by `npm run docs:catalog`; a unit test fails when this file is out of date.',
    '',
    'Every event travels as CloudEvents 1.0 in Kafka binary mode: `ce_id`, `ce_type`, `ce_source`, `ce_time`,',
    '`ce_specversion`, `ce_subject` (the customer id, also the Kafka key), `traceparent`, `correlationid`,',
    '`causationid` headers and a JSON payload. Changes within a version are additive; a breaking change is a new',
    'version (a new `ce_type`).',
    '',
    '## Topics',
    '',
    '| topic | partitions | key | carries |',
    '| --- | --- | --- | --- |',
    ...TOPIC_CATALOG.map((t) => `| \`${t.name}\` | ${t.partitions} | ${t.key} | ${t.description} |`),
    '',
    'Dead-letter topics, one per consumer group: ' +
      Object.values(ConsumerGroups)
        .map((g) => `\`${deadLetterTopic(g)}\``)
        .join(', ') +
      '.',
    'A dead letter keeps the original key, bytes and headers and adds `dlq_code`, `dlq_reason`, `dlq_source_topic`,',
    '`dlq_source_partition`, `dlq_source_offset`, `dlq_consumer_group`, `dlq_attempts` and `dlq_failed_at`.',
    '',
    '## Event types',
    '',
    '| ce_type | topic | consumed by | meaning |',
    '| --- | --- | --- | --- |',
    ...EVENT_CATALOG.map(
      (d) =>
        `| \`${d.type}\` | \`${d.topic}\` | ${(SUBSCRIPTIONS[d.type] ?? []).join(', ') || '(external subscribers)'} | ${d.description} |`,
    ),
    '',
    '## Example payloads',
    '',
  ];
  for (const definition of EVENT_CATALOG) {
    lines.push(
      `### ${definition.type}`,
      '',
      '```json',
      JSON.stringify(definition.fixture, null, 2),
      '```',
      '',
    );
  }
  return lines.join('\n');
}
