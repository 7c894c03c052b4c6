import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerErased, CustomerState, type CustomerStateV1, type EventEnvelope } from '@crm/contracts';
import { counter } from '@crm/observability';
import { execute, queryRows } from '@crm/persistence';

/** Announced (at commit) when deliveries are created, so a dispatcher wakes for them at once. */
export const DELIVERIES_CHANNEL = 'crm_webhook_deliveries';

const fannedOut = () =>
  counter('crm_webhook_deliveries_created_total', 'Webhook deliveries created from consumed events', [
    'kind',
  ]);

/**
 * SQL: the subscription `s` has no segment filter, or the customer `subjectSql` (a column or parameter) is in
 * its segment, as the state topic last said.
 */
export function segmentFilterMatches(subjectSql: string): string {
  return `(s.segment_filter IS NULL OR EXISTS (
            SELECT 1 FROM customer_state c WHERE c.customer_id::text = ${subjectSql} AND s.segment_filter = ANY(c.memberships)))`;
}

/** The memberships a segment filter can name, from a customer state snapshot. */
export function membershipsOf(state: CustomerStateV1): string[] {
  return [
    ...(state.valueTier ? [`tier:${state.valueTier}`] : []),
    ...(state.valueLoyaltySegment ? [`value-loyalty:${state.valueLoyaltySegment}`] : []),
    ...(state.membershipLevel ? [`membership:${state.membershipLevel}`] : []),
    ...(state.lifecycleStage ? [`stage:${state.lifecycleStage}`] : []),
    ...state.customSegments.map((s) => `custom:${s}`),
    ...state.tags.map((t) => `tag:${t}`),
  ];
}

/**
 * Turns one consumed event into one delivery per matching subscription, in the consumer's transaction (with
 * its inbox entry): an event is fanned out exactly once, and a subscription gets it at most once
 * (`deliveries_live_once`). The event is kept for replay. Snapshots of the compacted state topic keep the
 * customer memberships that segment filters are evaluated against (at the moment the event is fanned out).
 */
@Injectable()
export class FanOut {
  async accept(manager: EntityManager, event: EventEnvelope): Promise<number> {
    if (event.type === CustomerState.type) {
      const state = event.data as CustomerStateV1;
      await execute(
        manager,
        `INSERT INTO customer_state (customer_id, revision, memberships) VALUES ($1, $2, $3)
         ON CONFLICT (customer_id) DO UPDATE SET revision = EXCLUDED.revision, memberships = EXCLUDED.memberships
          WHERE customer_state.revision < EXCLUDED.revision`,
        [state.customerId, state.revision, membershipsOf(state)],
      );
    } else if (event.type === CustomerErased.type) {
      await execute(manager, 'DELETE FROM customer_state WHERE customer_id = $1', [event.subject]);
    }
    await execute(
      manager,
      `INSERT INTO events (event_id, event_type, subject, occurred_at, source, correlation_id, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
      [
        event.id,
        event.type,
        event.subject,
        event.time || new Date().toISOString(),
        event.source,
        event.correlationId,
        JSON.stringify(event.data),
      ],
    );
    const created = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO deliveries (id, subscription_id, event_id, subject, kind, status)
       SELECT gen_random_uuid(), s.id, $1, $2, 'live', 'pending'
         FROM subscriptions s
        WHERE s.status <> 'deleted' AND $3 = ANY(s.event_types)
          AND ${segmentFilterMatches('$2')}
        ORDER BY s.id
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [event.id, event.subject, event.type],
    );
    if (created.length > 0) {
      await manager.query('SELECT pg_notify($1, current_schema())', [DELIVERIES_CHANNEL]);
      fannedOut().inc({ kind: 'live' }, created.length);
    }
    return created.length;
  }
}
