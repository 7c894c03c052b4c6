import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerErased, CustomerState, type CustomerStateV1, type EventEnvelope } from '@crm/contracts';
import { counter } from '@crm/observability';
import { execute, insertMany, queryRows } from '@crm/persistence';

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

/** The customers an event is about, as phases of a run compare them (its subject, and a snapshot's customer). */
function customersOf(event: EventEnvelope): string[] {
  const subject = event.subject.toLowerCase();
  if (event.type !== CustomerState.type) return [subject];
  const customerId = (event.data as CustomerStateV1).customerId.toLowerCase();
  return customerId === subject ? [subject] : [subject, customerId];
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
 * Turns consumed events into one delivery per matching subscription, in the consumer's transaction (with
 * their inbox entries): an event is fanned out exactly once, and a subscription gets it at most once
 * (`deliveries_live_once`). Events are kept for replay. Snapshots of the compacted state topic keep the
 * customer memberships that segment filters are evaluated against (at the moment the event is fanned out).
 * A run of events is written set-based (one insert of events and one of deliveries between state changes),
 * with the effects of fanning them out one by one in order: deliveries are numbered in event order.
 */
@Injectable()
export class FanOut {
  /**
   * Fans out `events` in order; answers how many deliveries were created. The run is cut into phases in
   * which no customer's state changes after an event about them: each phase's state changes are written
   * first (a statement for all of them), then its events fanned out (one insert each for events and
   * deliveries), so every event is matched against its customer's state at its place in the run.
   */
  async accept(manager: EntityManager, events: readonly EventEnvelope[]): Promise<number> {
    let created = 0;
    let phase: { events: EventEnvelope[]; states: EventEnvelope[]; customers: Set<string> } = {
      events: [],
      states: [],
      customers: new Set(),
    };
    const endPhase = async () => {
      await this.keepStates(manager, phase.states);
      created += await this.fanOut(manager, phase.events);
      phase = { events: [], states: [], customers: new Set() };
    };
    for (const event of events) {
      const concerns = customersOf(event);
      if (event.type === CustomerState.type || event.type === CustomerErased.type) {
        // A second change of a customer, or a change after an event about them, starts a new phase.
        if (concerns.some((c) => phase.customers.has(c))) await endPhase();
        phase.states.push(event);
      }
      for (const c of concerns) phase.customers.add(c);
      phase.events.push(event);
    }
    await endPhase();
    if (created > 0) {
      await manager.query('SELECT pg_notify($1, current_schema())', [DELIVERIES_CHANNEL]);
      fannedOut().inc({ kind: 'live' }, created);
    }
    return created;
  }

  /** State changes of distinct customers: erasures forget the memberships, snapshots replace older ones. */
  private async keepStates(manager: EntityManager, changes: EventEnvelope[]): Promise<void> {
    const erased = changes.filter((e) => e.type === CustomerErased.type).map((e) => e.subject);
    if (erased.length > 0)
      await execute(manager, 'DELETE FROM customer_state WHERE customer_id = ANY($1::uuid[])', [erased]);
    const states = changes.filter((e) => e.type === CustomerState.type).map((e) => e.data as CustomerStateV1);
    if (states.length === 0) return;
    await execute(
      manager,
      `INSERT INTO customer_state (customer_id, revision, memberships)
       SELECT id, rev, ARRAY(SELECT jsonb_array_elements_text(m))
         FROM unnest($1::uuid[], $2::int[], $3::jsonb[]) AS r(id, rev, m) ORDER BY id
       ON CONFLICT (customer_id) DO UPDATE SET revision = EXCLUDED.revision, memberships = EXCLUDED.memberships
        WHERE customer_state.revision < EXCLUDED.revision`,
      [
        states.map((s) => s.customerId),
        states.map((s) => s.revision),
        states.map((s) => JSON.stringify(membershipsOf(s))),
      ],
    );
  }

  private async fanOut(manager: EntityManager, events: EventEnvelope[]): Promise<number> {
    if (events.length === 0) return 0;
    await insertMany(
      manager,
      'events',
      {
        event_id: 'text',
        event_type: 'text',
        subject: 'text',
        occurred_at: 'timestamptz',
        source: 'text',
        correlation_id: 'text',
        payload: 'jsonb',
      },
      events.map((event) => ({
        event_id: event.id,
        event_type: event.type,
        subject: event.subject,
        occurred_at: event.time || new Date().toISOString(),
        source: event.source,
        correlation_id: event.correlationId,
        payload: event.data,
      })),
      { onConflict: 'do nothing' },
    );
    const created = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO deliveries (id, subscription_id, event_id, subject, kind, status)
       SELECT gen_random_uuid(), s.id, e.event_id, e.subject, 'live', 'pending'
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e(event_id, subject, event_type, n)
         JOIN subscriptions s ON s.status <> 'deleted' AND e.event_type = ANY(s.event_types)
        WHERE ${segmentFilterMatches('e.subject')}
        ORDER BY e.n, s.id
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [events.map((e) => e.id), events.map((e) => e.subject), events.map((e) => e.type)],
    );
    return created.length;
  }
}
