import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import {
  SurveyRequested,
  TicketChanged,
  TicketOpened,
  TicketResolved,
  type TicketChange,
  type TicketType,
} from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { execute, queryRows, ServiceClock } from '@crm/persistence';
import { invalid } from '@crm/service-kit';
import { loadCalendar } from '../calendars/calendars.repository';
import { pauseClock, resumeClock } from '../calendars/sla-clock';
import { SurveyPolicy } from '../surveys/survey-policy';
import type { OpenTicketDto, QueueQueryDto } from './open-ticket.dto';
import { firstResponseSeconds, resolutionSeconds, ticketsOpened } from './sla.metrics';
import { selectFor, SlaSchedule } from './sla-schedule';
import { AssignmentRules } from './assignment-rules';
import { ticketNotResolved, ticketNotResponded, ticketResolved } from './ticket.errors';
import { clockOf, toTicketView, TicketsRepository, type TicketView } from './tickets.repository';

export interface OpenTicketCommand {
  customerId: string;
  type: TicketType;
  priority?: string;
  owner?: string;
  subject?: string;
  surveyId?: string;
  category?: string;
}

/**
 * Ticket commands. Every change that can move a deadline (opening, a response, waiting on the customer, a
 * customer reply, a new priority, tier or policy) ends in the SLA schedule, which recomputes the deadlines
 * from the open time already used.
 */
export class TicketAssignmentView {
  @ApiPropertyOptional({ nullable: true }) previousOwner: string | null;
  @ApiProperty() owner: string;
  @ApiProperty() assignedBy: string;
  @ApiPropertyOptional({ nullable: true }) reason: string | null;
  @ApiProperty() assignedAt: Date;
}

export class QueueItemView {
  @ApiProperty({ format: 'uuid' }) ticketId: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() type: string;
  @ApiProperty() priority: string;
  @ApiPropertyOptional({ nullable: true }) tier: string | null;
  @ApiPropertyOptional({ nullable: true }) owner: string | null;
  @ApiProperty() status: string;
  @ApiProperty() escalationLevel: string;
  @ApiPropertyOptional({ nullable: true, description: 'Null while waiting on the customer' })
  nextDeadline: Date | null;
  @ApiPropertyOptional({ nullable: true, enum: ['first-response', 'next-response', 'resolution'] })
  nextDeadlineMetric: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Negative once breached' }) secondsLeft: number | null;
  @ApiProperty() breached: boolean;
}

interface QueueRow {
  id: string;
  customer_id: string;
  ticket_type: string;
  priority: string;
  customer_tier: string | null;
  owner: string | null;
  status: string;
  escalation_level: string;
  next_due: Date | null;
  next_metric: string | null;
}

@Injectable()
export class TicketsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsRepository,
    private readonly sla: SlaSchedule,
    private readonly outbox: OutboxPublisher,
    private readonly surveys: SurveyPolicy,
    private readonly clock: ServiceClock,
    private readonly assignmentRules: AssignmentRules,
  ) {}

  async open(dto: OpenTicketDto, correlationId: string): Promise<TicketView> {
    const id = await this.dataSource.transaction((manager) => this.openIn(manager, dto, correlationId));
    return this.get(id);
  }

  /** Opens a ticket inside the caller's transaction (also used for follow-ups after a low score). */
  async openIn(db: EntityManager, command: OpenTicketCommand, correlationId: string): Promise<string> {
    const id = randomUUID();
    const customer = await this.tickets.customerClass(db, command.customerId);
    const priority = command.priority ?? 'normal';
    const customerTier = customer?.value_tier ?? null;
    const customerSegment = customer?.value_loyalty_segment ?? null;
    const policy = selectFor(await this.sla.listPolicies(db), {
      ticket_type: command.type,
      priority,
      customer_tier: customerTier,
      customer_segment: customerSegment,
    });
    // No owner given: the first matching assignment rule picks the least-loaded owner of its pool.
    const assigned = command.owner
      ? undefined
      : await this.assignmentRules.pick(db, {
          type: command.type,
          tier: customerTier,
          priority,
          category: command.category ?? null,
        });
    const owner = command.owner ?? assigned?.owner;
    if (policy.requiresOwner && !owner)
      throw invalid(
        'owner',
        `is required by the SLA policy: a ${command.type} needs a dedicated owner (policy ${policy.id})`,
      );
    const openedAt = await this.clock.now(db);
    await this.tickets.insert(db, {
      id,
      customerId: command.customerId,
      type: command.type,
      priority,
      owner: owner ?? null,
      subject: command.subject ?? null,
      correlationId,
      policyId: policy.id,
      calendarId: policy.calendarId,
      openedAt,
      customerTier,
      customerSegment,
      surveyId: command.surveyId ?? null,
      category: command.category ?? null,
    });
    if (assigned)
      await execute(
        db,
        `INSERT INTO ticket_assignments (ticket_id, previous_owner, owner, assigned_by, reason, assigned_at)
         VALUES ($1, NULL, $2, $3, 'assignment rule', $4)`,
        [id, assigned.owner, `rule:${assigned.ruleId}`, openedAt],
      );
    const scheduled = await this.sla.schedule(db, await this.tickets.lock(db, id), openedAt, policy);
    await this.outbox.publish(
      db,
      TicketOpened,
      {
        customerId: command.customerId,
        ticketId: id,
        ticketType: command.type,
        priority,
        policy: policy.id,
        firstResponseDueAt: scheduled.first_response_due_at!.toISOString(),
        resolutionDueAt: scheduled.resolution_due_at!.toISOString(),
        openedAt: openedAt.toISOString(),
        surveyId: command.surveyId,
        category: command.category,
      },
      { subject: command.customerId, correlationId },
    );
    ticketsOpened().inc({ ticket_type: command.type, priority });
    return id;
  }

  /**
   * Gives a ticket to another owner, with an audit row (from whom, to whom, by whom, why) and `ticket
   * changed` (reassigned); the same owner again changes nothing.
   */
  async assign(id: string, owner: string, assignedBy: string, reason?: string): Promise<TicketView> {
    await this.dataSource.transaction(async (db) => {
      const ticket = await this.tickets.lock(db, id);
      if (ticket.status === 'resolved') throw ticketResolved(id);
      if (ticket.owner === owner) return;
      const now = await this.clock.now(db);
      await this.tickets.update(db, id, 'owner = $2, updated_at = $3', [owner, now]);
      await execute(
        db,
        `INSERT INTO ticket_assignments (ticket_id, previous_owner, owner, assigned_by, reason, assigned_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, ticket.owner, owner, assignedBy, reason ?? null, now],
      );
      await this.announce(db, id, 'reassigned', now, { previousOwner: ticket.owner ?? undefined });
    });
    return this.get(id);
  }

  /** A ticket's assignment history, oldest first. */
  async assignments(id: string): Promise<TicketAssignmentView[]> {
    await this.get(id);
    return queryRows<TicketAssignmentView>(
      this.dataSource,
      `SELECT previous_owner AS "previousOwner", owner, assigned_by AS "assignedBy", reason, assigned_at AS "assignedAt"
         FROM ticket_assignments WHERE ticket_id = $1 ORDER BY id`,
      [id],
    );
  }

  /**
   * The queue: unresolved tickets by the time left to their next deadline (first response, the answer to the
   * customer's latest message, or resolution), the most at risk first and breached ones before all; a
   * ticket waiting on the customer has no running deadline and comes last. Filters: owner, type, tier,
   * priority.
   */
  async queue(filter: QueueQueryDto): Promise<QueueItemView[]> {
    const now = await this.clock.now();
    const rows = await queryRows<QueueRow>(
      this.dataSource,
      `WITH q AS (
         SELECT t.id, t.customer_id, t.ticket_type, t.priority, t.customer_tier, t.owner, t.status, t.escalation_level,
                CASE WHEN t.status = 'waiting-on-customer' THEN NULL
                     ELSE least(CASE WHEN t.first_responded_at IS NULL THEN t.first_response_due_at END,
                                t.next_response_due_at, t.resolution_due_at) END AS next_due,
                CASE WHEN t.status = 'waiting-on-customer' THEN NULL
                     WHEN t.first_responded_at IS NULL AND t.first_response_due_at IS NOT NULL
                          AND t.first_response_due_at <= coalesce(t.next_response_due_at, 'infinity')
                          AND t.first_response_due_at <= coalesce(t.resolution_due_at, 'infinity') THEN 'first-response'
                     WHEN t.next_response_due_at IS NOT NULL
                          AND t.next_response_due_at <= coalesce(t.resolution_due_at, 'infinity') THEN 'next-response'
                     WHEN t.resolution_due_at IS NOT NULL THEN 'resolution' END AS next_metric
           FROM tickets t
          WHERE t.resolved_at IS NULL
            AND ($1::text IS NULL OR t.owner = $1) AND ($2::text IS NULL OR t.ticket_type = $2)
            AND ($3::text IS NULL OR t.customer_tier = $3) AND ($4::text IS NULL OR t.priority = $4)
            AND ($6::text IS NULL OR t.owner IN (SELECT unnest(members || lead) FROM teams WHERE id = $6)))
       SELECT * FROM q ORDER BY next_due NULLS LAST, id LIMIT $5`,
      [
        filter.owner ?? null,
        filter.type ?? null,
        filter.tier ?? null,
        filter.priority ?? null,
        filter.limit ?? 100,
        filter.team ?? null,
      ],
    );
    return rows.map((r) => ({
      ticketId: r.id,
      customerId: r.customer_id,
      type: r.ticket_type,
      priority: r.priority,
      tier: r.customer_tier,
      owner: r.owner,
      status: r.status,
      escalationLevel: r.escalation_level,
      nextDeadline: r.next_due,
      nextDeadlineMetric: r.next_metric,
      secondsLeft: r.next_due ? Math.round((r.next_due.getTime() - now.getTime()) / 1000) : null,
      breached: r.next_due ? r.next_due.getTime() <= now.getTime() : false,
    }));
  }

  /** Announces a lifecycle move of a ticket (`ticket changed`), in the transaction that made it. */
  private async announce(
    db: EntityManager,
    id: string,
    change: TicketChange,
    now: Date,
    before: { priority?: string; previousOwner?: string } = {},
  ): Promise<void> {
    const ticket = await this.tickets.lock(db, id);
    await this.outbox.publish(
      db,
      TicketChanged,
      {
        customerId: ticket.customer_id,
        ticketId: id,
        change,
        status: ticket.status,
        priority: ticket.priority,
        ...(before.priority ? { previousPriority: before.priority } : {}),
        ...(ticket.owner ? { owner: ticket.owner } : {}),
        ...(before.previousOwner ? { previousOwner: before.previousOwner } : {}),
        changedAt: now.toISOString(),
      },
      { subject: ticket.customer_id, correlationId: `ticket-${id}` },
    );
  }

  /** The first response, or the answer to the customer's latest message. */
  async respond(id: string): Promise<TicketView> {
    await this.dataSource.transaction(async (db) => {
      const ticket = await this.tickets.lock(db, id);
      if (ticket.status === 'resolved') throw ticketResolved(id);
      const now = await this.clock.now(db);
      if (!ticket.first_responded_at) {
        await this.tickets.update(db, id, `first_responded_at = $2, status = 'responded', updated_at = $2`, [
          now,
        ]);
        await this.sla.settle(db, ticket, 'first-response', 0, now);
        firstResponseSeconds().observe(
          { ticket_type: ticket.ticket_type },
          (now.getTime() - new Date(ticket.opened_at).getTime()) / 1000,
        );
      } else if (ticket.awaiting_reply_since) {
        await this.tickets.update(
          db,
          id,
          'awaiting_reply_since = NULL, next_response_due_at = NULL, updated_at = $2',
          [now],
        );
        await this.sla.settle(db, ticket, 'next-response', ticket.reply_round, now);
      } else return;
      await this.announce(db, id, 'responded', now);
    });
    return this.get(id);
  }

  /** The ticket waits on the customer: the SLA clock stops and keeps the time already used. */
  async waitOnCustomer(id: string): Promise<TicketView> {
    await this.dataSource.transaction(async (db) => {
      const ticket = await this.tickets.lock(db, id);
      if (ticket.status === 'resolved') throw ticketResolved(id);
      if (!ticket.first_responded_at) throw ticketNotResponded();
      if (ticket.status === 'waiting-on-customer') return;
      const now = await this.clock.now(db);
      const calendar = await loadCalendar(db, ticket.calendar_id);
      const clock = pauseClock(calendar, clockOf(ticket), now);
      const paused = await this.tickets.update(
        db,
        id,
        `status = 'waiting-on-customer', clock_used_seconds = $2, clock_running_since = NULL,
         awaiting_reply_since = NULL, next_response_due_at = NULL, updated_at = $3`,
        [clock.usedSeconds, now],
      );
      await this.sla.cancel(db, id, 'next-response', ticket.reply_round, now);
      await this.sla.schedule(db, paused, now);
      await this.announce(db, id, 'waiting-on-customer', now);
    });
    return this.get(id);
  }

  /**
   * A resolved ticket opened again (the customer says it is not solved): a new resolution round with the
   * policy's full resolution target from now, its own warning, breach and escalation; `ticket changed`
   * (`reopened`). The earlier resolution and its SLA outcome stay in `ticket resolved` and the history.
   */
  async reopen(id: string): Promise<TicketView> {
    await this.dataSource.transaction(async (db) => {
      const ticket = await this.tickets.lock(db, id);
      if (ticket.status !== 'resolved') throw ticketNotResolved(id);
      const now = await this.clock.now(db);
      const reopened = await this.tickets.update(
        db,
        id,
        `status = 'responded', resolved_at = NULL, resolution_breached_at = NULL, reopen_round = reopen_round + 1,
         reopened_at = $2, clock_used_seconds = 0, clock_running_since = $2, updated_at = $2`,
        [now],
      );
      await this.sla.schedule(db, reopened, now);
      await this.announce(db, id, 'reopened', now);
    });
    return this.get(id);
  }

  /** The customer wrote: the clock runs again and a next response is due. */
  async customerReplied(id: string): Promise<TicketView> {
    await this.dataSource.transaction(async (db) => {
      const ticket = await this.tickets.lock(db, id);
      if (ticket.status === 'resolved') throw ticketResolved(id);
      const now = await this.clock.now(db);
      const clock = resumeClock(clockOf(ticket), now);
      const awaiting = Boolean(ticket.first_responded_at && !ticket.awaiting_reply_since);
      const resumed = await this.tickets.update(
        db,
        id,
        `status = CASE WHEN first_responded_at IS NULL THEN 'open' ELSE 'responded' END,
         clock_used_seconds = $2, clock_running_since = $3,
         awaiting_reply_since = CASE WHEN $4::boolean THEN $3 ELSE awaiting_reply_since END,
         reply_round = reply_round + CASE WHEN $4::boolean THEN 1 ELSE 0 END, updated_at = $3`,
        [clock.usedSeconds, clock.runningSince, awaiting],
      );
      await this.sla.schedule(db, resumed, now);
      await this.announce(db, id, 'customer-replied', now);
    });
    return this.get(id);
  }

  async changePriority(id: string, priority: string): Promise<TicketView> {
    await this.dataSource.transaction(async (db) => {
      const ticket = await this.tickets.lock(db, id);
      if (ticket.status === 'resolved') throw ticketResolved(id);
      if (ticket.priority === priority) return;
      await this.tickets.update(db, id, 'priority = $2, updated_at = now()', [priority]);
      const now = await this.clock.now(db);
      await this.sla.reschedule(db, id, now, await this.sla.listPolicies(db));
      await this.announce(db, id, 'priority-changed', now, { priority: ticket.priority });
    });
    return this.get(id);
  }

  async resolve(id: string, correlationId: string): Promise<TicketView> {
    await this.dataSource.transaction(async (db) => {
      const ticket = await this.tickets.lock(db, id);
      if (ticket.resolved_at) return;
      const now = await this.clock.now(db);
      const calendar = await loadCalendar(db, ticket.calendar_id);
      const clock = pauseClock(calendar, clockOf(ticket), now);
      await this.tickets.update(
        db,
        id,
        `resolved_at = $2, status = 'resolved', first_responded_at = coalesce(first_responded_at, $2),
         clock_used_seconds = $3, clock_running_since = NULL, awaiting_reply_since = NULL, next_response_due_at = NULL,
         updated_at = $2`,
        [now, clock.usedSeconds],
      );
      if (!ticket.first_responded_at) await this.sla.settle(db, ticket, 'first-response', 0, now);
      if (ticket.awaiting_reply_since)
        await this.sla.settle(db, ticket, 'next-response', ticket.reply_round, now);
      await this.sla.settle(db, ticket, 'resolution', ticket.reopen_round, now);
      const resolved = await this.tickets.lock(db, id);
      await this.outbox.publish(
        db,
        TicketResolved,
        {
          customerId: resolved.customer_id,
          ticketId: id,
          ticketType: resolved.ticket_type,
          priority: resolved.priority,
          openedAt: new Date(resolved.opened_at).toISOString(),
          firstRespondedAt: new Date(resolved.first_responded_at ?? now).toISOString(),
          resolvedAt: now.toISOString(),
          firstResponseBreached: resolved.first_response_breached_at !== null,
          resolutionBreached: resolved.resolution_breached_at !== null,
        },
        { subject: resolved.customer_id, correlationId },
      );
      resolutionSeconds().observe(
        { ticket_type: ticket.ticket_type },
        (now.getTime() - new Date(ticket.opened_at).getTime()) / 1000,
      );
      if (ticket.ticket_type === 'follow-up') return;
      const request = await this.surveys.record(db, ticket.customer_id, 'csat', { ticketId: id }, now);
      if (request.status === 'sent')
        await this.outbox.publish(
          db,
          SurveyRequested,
          {
            customerId: ticket.customer_id,
            surveyId: request.id,
            kind: 'csat',
            ticketId: id,
            requestedAt: now.toISOString(),
          },
          { subject: ticket.customer_id, correlationId },
        );
    });
    return this.get(id);
  }

  /** Of these customers, the ones (lower-case ids) with a ticket not yet resolved. */
  async withOpenTickets(db: EntityManager, customerIds: string[]): Promise<Set<string>> {
    return new Set(await this.tickets.customersWithOpen(db, customerIds));
  }

  /** A customer's tier or segment changed: their open tickets take the policy that now matches. */
  async customerReclassified(
    db: EntityManager,
    customerId: string,
    tier: string,
    segment: string,
  ): Promise<void> {
    const open = await this.tickets.reclassifyOpen(db, customerId, tier, segment);
    if (open.length === 0) return;
    const policies = await this.sla.listPolicies(db);
    const now = await this.clock.now(db);
    for (const id of open) await this.sla.reschedule(db, id, now, policies);
  }

  /** Policies changed: every open ticket takes the policy that now matches, from the time already used. */
  async policiesChanged(db: EntityManager): Promise<number> {
    const open = await this.tickets.openIds(db);
    const policies = await this.sla.listPolicies(db);
    const now = await this.clock.now(db);
    for (const id of open) await this.sla.reschedule(db, id, now, policies);
    return open.length;
  }

  async get(id: string): Promise<TicketView> {
    return toTicketView(await this.tickets.find(id));
  }

  async forCustomer(customerId: string): Promise<TicketView[]> {
    return (await this.tickets.forCustomer(customerId)).map(toTicketView);
  }
}
