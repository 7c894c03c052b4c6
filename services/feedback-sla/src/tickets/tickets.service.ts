import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SurveyRequested, TicketOpened, type SlaMetric, type TicketType } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { notFound } from '@crm/service-kit';
import { addOpenSeconds } from '../calendars/business-calendar';
import { loadCalendar } from '../calendars/calendars.repository';
import { dueAt, pauseClock, resumeClock, usedSeconds, type SlaClock } from '../calendars/sla-clock';
import { FeedbackConfig } from '../feedback.config';
import { policyFromRow, selectPolicy, type SlaPolicy } from '../policies/sla-policy';
import { SurveyPolicy } from '../surveys/survey-policy';
import type { OpenTicketDto } from './open-ticket.dto';
import { firstResponseSeconds, resolutionSeconds, slaOutcomes, ticketsOpened } from './sla.metrics';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a raw row of the tickets table
export type TicketRow = Record<string, any>;

export interface OpenTicketCommand {
  customerId: string;
  type: TicketType;
  priority?: string;
  owner?: string;
  subject?: string;
  surveyId?: string;
  category?: string;
}

const conflict = (code: string, message: string) => new ConflictException({ statusCode: 409, code, message });

/**
 * Tickets and their SLA clock. Every change that can move a deadline (opening, a response, waiting on the
 * customer, a customer reply, a new priority, tier or policy) ends in `schedule()`, which recomputes the
 * deadlines from the open time already used and re-arms the warning, breach and escalation timers that
 * have not fired. Timers that fired stay fired: each fires at most once.
 */
@Injectable()
export class TicketsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly config: FeedbackConfig,
    private readonly surveys: SurveyPolicy,
  ) {}

  async open(dto: OpenTicketDto, correlationId: string) {
    const id = await this.dataSource.transaction((manager) => this.openIn(manager, dto, correlationId));
    return this.get(id);
  }

  /** Opens a ticket inside the caller's transaction (also used for follow-ups after a low score). */
  async openIn(manager: EntityManager, command: OpenTicketCommand, correlationId: string): Promise<string> {
    const id = randomUUID();
    const [customer] = await manager.query(
      'SELECT value_tier, value_loyalty_segment FROM customers WHERE customer_id = $1',
      [command.customerId],
    );
    const priority = command.priority ?? 'normal';
    const ticket: TicketRow = {
      id,
      customer_id: command.customerId,
      ticket_type: command.type,
      priority,
      customer_tier: customer?.value_tier ?? null,
      customer_segment: customer?.value_loyalty_segment ?? null,
    };
    const policy = selectFor(await this.policies(manager), ticket);
    if (policy.requiresOwner && !command.owner) {
      throw new BadRequestException({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: [`owner: a ${command.type} needs a dedicated owner (policy ${policy.id})`],
        fields: [{ field: 'owner', messages: ['is required by the SLA policy'] }],
      });
    }
    const openedAt = new Date();
    await manager.query(
      `INSERT INTO tickets (id, customer_id, ticket_type, priority, status, owner, subject, correlation_id, policy_id, opened_at,
                            customer_tier, customer_segment, calendar_id, clock_used_seconds, clock_running_since, survey_id, category)
       VALUES ($1,$2,$3,$4,'open',$5,$6,$7,$8,$9,$10,$11,$12,0,$9,$13,$14)`,
      [
        id,
        command.customerId,
        command.type,
        priority,
        command.owner ?? null,
        command.subject ?? null,
        correlationId,
        policy.id,
        openedAt,
        ticket.customer_tier,
        ticket.customer_segment,
        policy.calendarId,
        command.surveyId ?? null,
        command.category ?? null,
      ],
    );
    const scheduled = await this.schedule(manager, await this.lock(manager, id), openedAt, policy);
    await this.outbox.publish(
      manager,
      TicketOpened,
      {
        customerId: command.customerId,
        ticketId: id,
        ticketType: command.type,
        priority,
        policy: policy.id,
        firstResponseDueAt: scheduled.first_response_due_at.toISOString(),
        resolutionDueAt: scheduled.resolution_due_at.toISOString(),
        openedAt: openedAt.toISOString(),
        surveyId: command.surveyId,
        category: command.category,
      },
      { subject: command.customerId, correlationId },
    );
    ticketsOpened().inc({ ticket_type: command.type, priority });
    return id;
  }

  /** The first response, or the answer to the customer's latest message. */
  async respond(id: string) {
    await this.dataSource.transaction(async (manager) => {
      const ticket = await this.lock(manager, id);
      if (ticket.status === 'resolved') throw conflict('TICKET_RESOLVED', `ticket ${id} is resolved`);
      const now = new Date();
      if (!ticket.first_responded_at) {
        await manager.query(
          `UPDATE tickets SET first_responded_at = $2, status = 'responded', updated_at = $2 WHERE id = $1`,
          [id, now],
        );
        await this.settle(manager, ticket, 'first-response', 0, now);
        firstResponseSeconds().observe(
          { ticket_type: ticket.ticket_type },
          (now.getTime() - new Date(ticket.opened_at).getTime()) / 1000,
        );
      } else if (ticket.awaiting_reply_since) {
        await manager.query(
          `UPDATE tickets SET awaiting_reply_since = NULL, next_response_due_at = NULL, updated_at = $2 WHERE id = $1`,
          [id, now],
        );
        await this.settle(manager, ticket, 'next-response', ticket.reply_round, now);
      }
    });
    return this.get(id);
  }

  /** The ticket waits on the customer: the SLA clock stops and keeps the time already used. */
  async waitOnCustomer(id: string) {
    await this.dataSource.transaction(async (manager) => {
      const ticket = await this.lock(manager, id);
      if (ticket.status === 'resolved') throw conflict('TICKET_RESOLVED', `ticket ${id} is resolved`);
      if (!ticket.first_responded_at)
        throw conflict('TICKET_NOT_RESPONDED', 'respond to the customer before waiting on them');
      if (ticket.status === 'waiting-on-customer') return;
      const now = new Date();
      const calendar = await loadCalendar(manager, ticket.calendar_id);
      const clock = pauseClock(calendar, this.clockOf(ticket), now);
      await manager.query(
        `UPDATE tickets SET status = 'waiting-on-customer', clock_used_seconds = $2, clock_running_since = NULL,
                awaiting_reply_since = NULL, next_response_due_at = NULL, updated_at = $3 WHERE id = $1`,
        [id, clock.usedSeconds, now],
      );
      await this.cancel(manager, id, 'next-response', ticket.reply_round, now);
      await this.schedule(manager, await this.lock(manager, id), now);
    });
    return this.get(id);
  }

  /** The customer wrote: the clock runs again and a next response is due. */
  async customerReplied(id: string) {
    await this.dataSource.transaction(async (manager) => {
      const ticket = await this.lock(manager, id);
      if (ticket.status === 'resolved') throw conflict('TICKET_RESOLVED', `ticket ${id} is resolved`);
      const now = new Date();
      const clock = resumeClock(this.clockOf(ticket), now);
      const awaiting = Boolean(ticket.first_responded_at && !ticket.awaiting_reply_since);
      await manager.query(
        `UPDATE tickets SET status = CASE WHEN first_responded_at IS NULL THEN 'open' ELSE 'responded' END,
                clock_used_seconds = $2, clock_running_since = $3,
                awaiting_reply_since = CASE WHEN $4::boolean THEN $3 ELSE awaiting_reply_since END,
                reply_round = reply_round + CASE WHEN $4::boolean THEN 1 ELSE 0 END, updated_at = $3
          WHERE id = $1`,
        [id, clock.usedSeconds, clock.runningSince, awaiting],
      );
      await this.schedule(manager, await this.lock(manager, id), now);
    });
    return this.get(id);
  }

  async changePriority(id: string, priority: string) {
    await this.dataSource.transaction(async (manager) => {
      const ticket = await this.lock(manager, id);
      if (ticket.status === 'resolved') throw conflict('TICKET_RESOLVED', `ticket ${id} is resolved`);
      if (ticket.priority === priority) return;
      await manager.query('UPDATE tickets SET priority = $2, updated_at = now() WHERE id = $1', [
        id,
        priority,
      ]);
      await this.reschedule(manager, id, new Date(), await this.policies(manager));
    });
    return this.get(id);
  }

  async resolve(id: string, correlationId: string) {
    await this.dataSource.transaction(async (manager) => {
      const ticket = await this.lock(manager, id);
      if (ticket.resolved_at) return;
      const now = new Date();
      const calendar = await loadCalendar(manager, ticket.calendar_id);
      const clock = pauseClock(calendar, this.clockOf(ticket), now);
      await manager.query(
        `UPDATE tickets SET resolved_at = $2, status = 'resolved', first_responded_at = coalesce(first_responded_at, $2),
                clock_used_seconds = $3, clock_running_since = NULL, awaiting_reply_since = NULL, next_response_due_at = NULL,
                updated_at = $2
          WHERE id = $1`,
        [id, now, clock.usedSeconds],
      );
      if (!ticket.first_responded_at) await this.settle(manager, ticket, 'first-response', 0, now);
      if (ticket.awaiting_reply_since)
        await this.settle(manager, ticket, 'next-response', ticket.reply_round, now);
      await this.settle(manager, ticket, 'resolution', 0, now);
      resolutionSeconds().observe(
        { ticket_type: ticket.ticket_type },
        (now.getTime() - new Date(ticket.opened_at).getTime()) / 1000,
      );
      if (ticket.ticket_type === 'follow-up') return;
      const request = await this.surveys.record(manager, ticket.customer_id, 'csat', { ticketId: id }, now);
      if (request.status === 'sent')
        await this.outbox.publish(
          manager,
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

  /** A customer's tier or segment changed: their open tickets take the policy that now matches. */
  async customerReclassified(manager: EntityManager, customerId: string, tier: string, segment: string) {
    const [open]: [{ id: string }[], number] = await manager.query(
      `UPDATE tickets SET customer_tier = $2, customer_segment = $3
        WHERE customer_id = $1 AND status <> 'resolved' AND (customer_tier IS DISTINCT FROM $2 OR customer_segment IS DISTINCT FROM $3)
        RETURNING id`,
      [customerId, tier, segment],
    );
    if (open.length === 0) return;
    const policies = await this.policies(manager);
    const now = new Date();
    for (const { id } of open) await this.reschedule(manager, id, now, policies);
  }

  /** Policies changed: every open ticket takes the policy that now matches, from the time already used. */
  async policiesChanged(manager: EntityManager): Promise<number> {
    const open: { id: string }[] = await manager.query(`SELECT id FROM tickets WHERE status <> 'resolved'`);
    const policies = await this.policies(manager);
    const now = new Date();
    for (const { id } of open) await this.reschedule(manager, id, now, policies);
    return open.length;
  }

  async get(id: string) {
    const [row] = await this.dataSource.query('SELECT * FROM tickets WHERE id = $1', [id]);
    if (!row) throw notFound('ticket', id);
    return this.view(row);
  }

  async forCustomer(customerId: string) {
    const rows = await this.dataSource.query(
      'SELECT * FROM tickets WHERE customer_id = $1 ORDER BY opened_at DESC LIMIT 200',
      [customerId],
    );
    return rows.map((r: TicketRow) => this.view(r));
  }

  async lock(manager: EntityManager, id: string): Promise<TicketRow> {
    const [row] = await manager.query('SELECT * FROM tickets WHERE id = $1 FOR UPDATE', [id]);
    if (!row) throw notFound('ticket', id);
    return row;
  }

  private async reschedule(manager: EntityManager, id: string, now: Date, policies: SlaPolicy[]) {
    let ticket = await this.lock(manager, id);
    const policy = selectFor(policies, ticket);
    if (policy.id !== ticket.policy_id || policy.calendarId !== ticket.calendar_id) {
      // Time used so far is measured in the old calendar, then counted on in the new one.
      const oldCalendar = await loadCalendar(manager, ticket.calendar_id);
      const used = usedSeconds(oldCalendar, this.clockOf(ticket), now);
      [[ticket]] = await manager.query(
        `UPDATE tickets SET policy_id = $2, calendar_id = $3, clock_used_seconds = $4,
                clock_running_since = CASE WHEN clock_running_since IS NULL THEN NULL ELSE $5::timestamptz END
          WHERE id = $1 RETURNING *`,
        [id, policy.id, policy.calendarId, used, now],
      );
    }
    await this.schedule(manager, ticket, now, policy);
  }

  private async policies(manager: EntityManager): Promise<SlaPolicy[]> {
    return (await manager.query('SELECT * FROM sla_policies ORDER BY position, id')).map(policyFromRow);
  }

  private clockOf(ticket: TicketRow): SlaClock {
    return {
      usedSeconds: Number(ticket.clock_used_seconds),
      runningSince: ticket.clock_running_since ? new Date(ticket.clock_running_since) : null,
    };
  }

  /** Recomputes the deadlines and re-arms the timers that have not fired; answers the updated ticket. */
  private async schedule(
    manager: EntityManager,
    ticket: TicketRow,
    now: Date,
    known?: SlaPolicy,
  ): Promise<TicketRow> {
    const policy =
      known ??
      policyFromRow((await manager.query('SELECT * FROM sla_policies WHERE id = $1', [ticket.policy_id]))[0]);
    const calendar = await loadCalendar(manager, ticket.calendar_id);
    const clock = this.clockOf(ticket);
    const share = this.config.SLA_WARNING_SHARE;
    const arm = async (metric: SlaMetric, kind: string, round: number, due: Date | null) =>
      manager.query(
        `INSERT INTO sla_timers (ticket_id, metric, kind, round, due_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (ticket_id, metric, kind, round) DO UPDATE SET due_at = EXCLUDED.due_at
           WHERE sla_timers.fired_at IS NULL AND sla_timers.cancelled_at IS NULL`,
        [ticket.id, metric, kind, round, due],
      );

    let firstResponseDue: Date | null = ticket.first_response_due_at;
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
    let resolutionDue: Date | null = ticket.resolution_due_at;
    if (!ticket.resolved_at) {
      resolutionDue = dueAt(calendar, clock, policy.resolutionSeconds, now);
      await arm('resolution', 'warning', 0, dueAt(calendar, clock, share * policy.resolutionSeconds, now));
      await arm('resolution', 'breach', 0, resolutionDue);
      const executive = this.config.SLA_EXECUTIVE_ESCALATION_SHARE * policy.resolutionSeconds;
      await arm('resolution', 'escalation', 0, dueAt(calendar, clock, executive, now));
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
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [[updated]] = await manager.query(
      `UPDATE tickets SET first_response_due_at = $2, resolution_due_at = $3, next_response_due_at = $4 WHERE id = $1 RETURNING *`,
      [ticket.id, firstResponseDue, resolutionDue, nextResponseDue],
    );
    return updated;
  }

  /** A deadline was met (or the ticket closed): its unfired timers are cancelled and the outcome counted. */
  private async settle(
    manager: EntityManager,
    ticket: TicketRow,
    metric: SlaMetric,
    round: number,
    now: Date,
  ) {
    const [breach] = await manager.query(
      `SELECT fired_at FROM sla_timers WHERE ticket_id = $1 AND metric = $2 AND kind = 'breach' AND round = $3`,
      [ticket.id, metric, round],
    );
    await this.cancel(manager, ticket.id, metric, round, now);
    if (breach && !breach.fired_at) slaOutcomes().inc({ policy: ticket.policy_id, metric, outcome: 'met' });
  }

  private async cancel(
    manager: EntityManager,
    ticketId: string,
    metric: SlaMetric,
    round: number,
    now: Date,
  ) {
    await manager.query(
      `UPDATE sla_timers SET cancelled_at = $4 WHERE ticket_id = $1 AND metric = $2 AND round = $3 AND fired_at IS NULL AND cancelled_at IS NULL`,
      [ticketId, metric, round, now],
    );
  }

  private view(r: TicketRow) {
    return {
      id: r.id,
      customerId: r.customer_id,
      type: r.ticket_type,
      priority: r.priority,
      status: r.status,
      owner: r.owner,
      subject: r.subject,
      category: r.category,
      policy: r.policy_id,
      calendar: r.calendar_id,
      customerTier: r.customer_tier,
      escalationLevel: r.escalation_level,
      openedAt: r.opened_at,
      firstResponseDueAt: r.first_response_due_at,
      nextResponseDueAt: r.next_response_due_at,
      resolutionDueAt: r.resolution_due_at,
      firstRespondedAt: r.first_responded_at,
      resolvedAt: r.resolved_at,
      clock: {
        paused: r.clock_running_since === null,
        usedSeconds: Math.round(Number(r.clock_used_seconds)),
      },
      surveyId: r.survey_id,
      breaches: {
        firstResponse: r.first_response_breached_at ? { breachedAt: r.first_response_breached_at } : null,
        nextResponse: r.next_response_breaches,
        resolution: r.resolution_breached_at ? { breachedAt: r.resolution_breached_at } : null,
      },
    };
  }
}

/** The first policy (in order) that matches the ticket; a 409 when none does. */
function selectFor(policies: SlaPolicy[], ticket: TicketRow): SlaPolicy {
  const policy = selectPolicy(policies, {
    ticketType: ticket.ticket_type,
    priority: ticket.priority,
    customerTier: ticket.customer_tier,
    customerSegment: ticket.customer_segment,
  });
  if (!policy)
    throw conflict(
      'NO_SLA_POLICY',
      'no SLA policy matches this ticket; add a catch-all policy (no conditions)',
    );
  return policy;
}
