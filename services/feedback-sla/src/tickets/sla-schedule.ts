import { Injectable } from '@nestjs/common';
import type { SlaMetric } from '@crm/contracts';
import type { Queryable } from '@crm/persistence';
import { addOpenSeconds } from '../calendars/business-calendar';
import { loadCalendar } from '../calendars/calendars.repository';
import { dueAt, usedSeconds } from '../calendars/sla-clock';
import { FeedbackConfig } from '../feedback.config';
import { selectPolicy, type SlaPolicy } from '../policies/sla-policy';
import { SlaPoliciesRepository } from '../policies/sla-policies.repository';
import { noSlaPolicy } from './ticket.errors';
import { clockOf, TicketsRepository, type TicketRow } from './tickets.repository';
import { slaOutcomes } from './sla.metrics';

/** The first policy (in order) that matches the ticket; a 409 when none does. */
export function selectFor(
  policies: SlaPolicy[],
  ticket: Pick<TicketRow, 'ticket_type' | 'priority' | 'customer_tier' | 'customer_segment'>,
): SlaPolicy {
  const policy = selectPolicy(policies, {
    ticketType: ticket.ticket_type,
    priority: ticket.priority,
    customerTier: ticket.customer_tier,
    customerSegment: ticket.customer_segment,
  });
  if (!policy) throw noSlaPolicy();
  return policy;
}

/**
 * A ticket's SLA schedule: deadlines recomputed from the open time already used, and the warning, breach
 * and escalation timers re-armed where they have not fired. Timers that fired stay fired: each fires once.
 */
@Injectable()
export class SlaSchedule {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly policies: SlaPoliciesRepository,
    private readonly config: FeedbackConfig,
  ) {}

  listPolicies(db: Queryable): Promise<SlaPolicy[]> {
    return this.policies.list(db);
  }

  /** Re-selects the ticket's policy (its tier, priority or the policies changed) and re-times it. */
  async reschedule(db: Queryable, id: string, now: Date, policies: SlaPolicy[]): Promise<TicketRow> {
    let ticket = await this.tickets.lock(db, id);
    const policy = selectFor(policies, ticket);
    if (policy.id !== ticket.policy_id || policy.calendarId !== ticket.calendar_id) {
      // Time used so far is measured in the old calendar, then counted on in the new one.
      const oldCalendar = await loadCalendar(db, ticket.calendar_id);
      const used = usedSeconds(oldCalendar, clockOf(ticket), now);
      ticket = await this.tickets.update(
        db,
        id,
        `policy_id = $2, calendar_id = $3, clock_used_seconds = $4,
         clock_running_since = CASE WHEN clock_running_since IS NULL THEN NULL ELSE $5::timestamptz END`,
        [policy.id, policy.calendarId, used, now],
      );
    }
    return this.schedule(db, ticket, now, policy);
  }

  /** Recomputes the deadlines and re-arms the timers that have not fired; answers the updated ticket. */
  async schedule(db: Queryable, ticket: TicketRow, now: Date, known?: SlaPolicy): Promise<TicketRow> {
    const policy = known ?? (await this.policies.find(db, ticket.policy_id));
    if (!policy) throw new Error(`SLA policy ${ticket.policy_id} of ticket ${ticket.id} does not exist`);
    const calendar = await loadCalendar(db, ticket.calendar_id);
    const clock = clockOf(ticket);
    const share = this.config.SLA_WARNING_SHARE;
    const arm = (
      metric: SlaMetric,
      kind: 'warning' | 'breach' | 'escalation',
      round: number,
      due: Date | null,
    ) => this.tickets.armTimer(db, ticket.id, metric, kind, round, due);

    let firstResponseDue = ticket.first_response_due_at;
    if (!ticket.first_responded_at) {
      firstResponseDue = dueAt(calendar, clock, policy.firstResponseSeconds, now);
      await arm(
        'first-response',
        'warning',
        0,
        dueAt(calendar, clock, share * policy.firstResponseSeconds, now),
      );
      await arm('first-response', 'breach', 0, firstResponseDue);
    }
    let resolutionDue = ticket.resolution_due_at;
    if (!ticket.resolved_at) {
      resolutionDue = dueAt(calendar, clock, policy.resolutionSeconds, now);
      // Each reopening is a round of its own: its timers fire once, whatever the earlier rounds did.
      const round = ticket.reopen_round;
      await arm(
        'resolution',
        'warning',
        round,
        dueAt(calendar, clock, share * policy.resolutionSeconds, now),
      );
      await arm('resolution', 'breach', round, resolutionDue);
      const executive = this.config.SLA_EXECUTIVE_ESCALATION_SHARE * policy.resolutionSeconds;
      await arm('resolution', 'escalation', round, dueAt(calendar, clock, executive, now));
    }
    let nextResponseDue: Date | null = null;
    if (ticket.awaiting_reply_since && !ticket.resolved_at) {
      // The next-response clock runs from the customer's message and does not pause.
      const target = policy.nextResponseSeconds ?? policy.firstResponseSeconds;
      const since = new Date(ticket.awaiting_reply_since);
      nextResponseDue = addOpenSeconds(calendar, since, target);
      await arm(
        'next-response',
        'warning',
        ticket.reply_round,
        addOpenSeconds(calendar, since, share * target),
      );
      await arm('next-response', 'breach', ticket.reply_round, nextResponseDue);
    }
    return this.tickets.update(
      db,
      ticket.id,
      'first_response_due_at = $2, resolution_due_at = $3, next_response_due_at = $4',
      [firstResponseDue, resolutionDue, nextResponseDue],
    );
  }

  /** A deadline was met (or the ticket closed): its unfired timers are cancelled and the outcome counted. */
  async settle(db: Queryable, ticket: TicketRow, metric: SlaMetric, round: number, now: Date): Promise<void> {
    const breach = await this.tickets.breachTimer(db, ticket.id, metric, round);
    await this.tickets.cancelTimers(db, ticket.id, metric, round, now);
    if (breach && !breach.fired_at) slaOutcomes().inc({ policy: ticket.policy_id, metric, outcome: 'met' });
  }

  cancel(db: Queryable, ticketId: string, metric: SlaMetric, round: number, now: Date): Promise<void> {
    return this.tickets.cancelTimers(db, ticketId, metric, round, now);
  }
}
