import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import type { SlaMetric } from '@crm/contracts';
import { execute, queryOne, queryRows, type Queryable } from '@crm/persistence';
import { notFound } from '@crm/service-kit';
import type { SlaClock } from '../calendars/sla-clock';

/** Announced (at commit) when a timer is armed, so every replica's worker recomputes its next wake-up. */
export const SLA_TIMERS_CHANNEL = 'crm_sla_timers';

/** A row of `tickets`, as Postgres answers it. */
export interface TicketRow {
  id: string;
  customer_id: string;
  ticket_type: string;
  priority: string;
  status: 'open' | 'responded' | 'waiting-on-customer' | 'resolved';
  owner: string | null;
  subject: string | null;
  category: string | null;
  correlation_id: string;
  policy_id: string;
  calendar_id: string | null;
  customer_tier: string | null;
  customer_segment: string | null;
  opened_at: Date;
  first_response_due_at: Date | null;
  next_response_due_at: Date | null;
  resolution_due_at: Date | null;
  first_responded_at: Date | null;
  resolved_at: Date | null;
  first_response_breached_at: Date | null;
  resolution_breached_at: Date | null;
  next_response_breaches: number;
  clock_used_seconds: number;
  clock_running_since: Date | null;
  awaiting_reply_since: Date | null;
  reply_round: number;
  reopen_round: number;
  reopened_at: Date | null;
  escalation_level: string;
  survey_id: string | null;
}

export interface NewTicket {
  id: string;
  customerId: string;
  type: string;
  priority: string;
  owner: string | null;
  subject: string | null;
  correlationId: string;
  policyId: string;
  calendarId: string | null;
  openedAt: Date;
  customerTier: string | null;
  customerSegment: string | null;
  surveyId: string | null;
  category: string | null;
}

export interface CustomerClass {
  value_tier: string | null;
  value_loyalty_segment: string | null;
}

export class TicketClockView {
  @ApiProperty() paused: boolean;
  @ApiProperty({ description: 'Open time used so far, in seconds' }) usedSeconds: number;
}

export class TicketBreachView {
  @ApiProperty() breachedAt: Date;
}

export class TicketBreachesView {
  @ApiPropertyOptional({ type: TicketBreachView, nullable: true }) firstResponse: TicketBreachView | null;
  @ApiProperty({ description: 'How many next-response deadlines were missed' }) nextResponse: number;
  @ApiPropertyOptional({ type: TicketBreachView, nullable: true }) resolution: TicketBreachView | null;
}

export class TicketView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() type: string;
  @ApiProperty() priority: string;
  @ApiProperty({ enum: ['open', 'responded', 'waiting-on-customer', 'resolved'] }) status: string;
  @ApiPropertyOptional({ nullable: true }) owner: string | null;
  @ApiPropertyOptional({ nullable: true }) subject: string | null;
  @ApiPropertyOptional({ nullable: true }) category: string | null;
  @ApiProperty({ description: 'The SLA policy the ticket is timed by' }) policy: string;
  @ApiPropertyOptional({ nullable: true }) calendar: string | null;
  @ApiPropertyOptional({ nullable: true }) customerTier: string | null;
  @ApiProperty() escalationLevel: string;
  @ApiProperty() openedAt: Date;
  @ApiPropertyOptional({ nullable: true }) firstResponseDueAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) nextResponseDueAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) resolutionDueAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) firstRespondedAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) resolvedAt: Date | null;
  @ApiProperty({ description: 'How many times it was reopened' }) reopened: number;
  @ApiPropertyOptional({ nullable: true }) reopenedAt: Date | null;
  @ApiProperty({ type: TicketClockView }) clock: TicketClockView;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) surveyId: string | null;
  @ApiProperty({ type: TicketBreachesView }) breaches: TicketBreachesView;
}

export function toTicketView(r: TicketRow): TicketView {
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
    reopened: r.reopen_round,
    reopenedAt: r.reopened_at,
    clock: { paused: r.clock_running_since === null, usedSeconds: Math.round(Number(r.clock_used_seconds)) },
    surveyId: r.survey_id,
    breaches: {
      firstResponse: r.first_response_breached_at ? { breachedAt: r.first_response_breached_at } : null,
      nextResponse: r.next_response_breaches,
      resolution: r.resolution_breached_at ? { breachedAt: r.resolution_breached_at } : null,
    },
  };
}

export function clockOf(ticket: TicketRow): SlaClock {
  return {
    usedSeconds: Number(ticket.clock_used_seconds),
    runningSince: ticket.clock_running_since ? new Date(ticket.clock_running_since) : null,
  };
}

/** The tickets and SLA-timer tables; methods that take a `db` run inside the caller's transaction. */
@Injectable()
export class TicketsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(id: string): Promise<TicketRow> {
    const row = await queryOne<TicketRow>(this.dataSource, 'SELECT * FROM tickets WHERE id = $1', [id]);
    if (!row) throw notFound('ticket', id);
    return row;
  }

  forCustomer(customerId: string): Promise<TicketRow[]> {
    return queryRows<TicketRow>(
      this.dataSource,
      'SELECT * FROM tickets WHERE customer_id = $1 ORDER BY opened_at DESC LIMIT 200',
      [customerId],
    );
  }

  async lock(db: Queryable, id: string): Promise<TicketRow> {
    const row = await queryOne<TicketRow>(db, 'SELECT * FROM tickets WHERE id = $1 FOR UPDATE', [id]);
    if (!row) throw notFound('ticket', id);
    return row;
  }

  customerClass(db: Queryable, customerId: string): Promise<CustomerClass | undefined> {
    return queryOne<CustomerClass>(
      db,
      'SELECT value_tier, value_loyalty_segment FROM customers WHERE customer_id = $1',
      [customerId],
    );
  }

  async insert(db: Queryable, t: NewTicket): Promise<void> {
    await execute(
      db,
      `INSERT INTO tickets (id, customer_id, ticket_type, priority, status, owner, subject, correlation_id, policy_id, opened_at,
                            customer_tier, customer_segment, calendar_id, clock_used_seconds, clock_running_since, survey_id, category)
       VALUES ($1,$2,$3,$4,'open',$5,$6,$7,$8,$9,$10,$11,$12,0,$9,$13,$14)`,
      [
        t.id,
        t.customerId,
        t.type,
        t.priority,
        t.owner,
        t.subject,
        t.correlationId,
        t.policyId,
        t.openedAt,
        t.customerTier,
        t.customerSegment,
        t.calendarId,
        t.surveyId,
        t.category,
      ],
    );
  }

  /** Runs an UPDATE of one ticket (`$1` is its id) and answers the row as it now is. */
  async update(
    db: Queryable,
    id: string,
    assignments: string,
    parameters: unknown[] = [],
  ): Promise<TicketRow> {
    const [row] = await queryRows<TicketRow>(
      db,
      `UPDATE tickets SET ${assignments} WHERE id = $1 RETURNING *`,
      [id, ...parameters],
    );
    if (!row) throw notFound('ticket', id);
    return row;
  }

  /** Moves a customer's open tickets to a new tier and segment; answers the ids that changed. */
  async reclassifyOpen(db: Queryable, customerId: string, tier: string, segment: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE tickets SET customer_tier = $2, customer_segment = $3
        WHERE customer_id = $1 AND status <> 'resolved' AND (customer_tier IS DISTINCT FROM $2 OR customer_segment IS DISTINCT FROM $3)
        RETURNING id`,
      [customerId, tier, segment],
    );
    return rows.map((r) => r.id);
  }

  /** Of these customers, the ones (lower-case ids) with a ticket not yet resolved. */
  async customersWithOpen(db: Queryable, customerIds: string[]): Promise<string[]> {
    const rows = await queryRows<{ customer_id: string }>(
      db,
      `SELECT DISTINCT customer_id FROM tickets WHERE customer_id = ANY($1::uuid[]) AND status <> 'resolved'`,
      [customerIds],
    );
    return rows.map((r) => r.customer_id);
  }

  async openIds(db: Queryable): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(db, `SELECT id FROM tickets WHERE status <> 'resolved'`);
    return rows.map((r) => r.id);
  }

  async armTimer(
    db: Queryable,
    ticketId: string,
    metric: SlaMetric,
    kind: 'warning' | 'breach' | 'escalation',
    round: number,
    dueAt: Date | null,
  ): Promise<void> {
    await execute(
      db,
      `INSERT INTO sla_timers (ticket_id, metric, kind, round, due_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (ticket_id, metric, kind, round) DO UPDATE SET due_at = EXCLUDED.due_at
         WHERE sla_timers.fired_at IS NULL AND sla_timers.cancelled_at IS NULL
       RETURNING (SELECT pg_notify('${SLA_TIMERS_CHANNEL}', '') WHERE due_at IS NOT NULL) AS announced`,
      [ticketId, metric, kind, round, dueAt],
    );
    // The workers sleep until the next known due time; an armed timer may be sooner, so the same statement
    // announces it (delivered at commit, once per transaction however many timers it arms).
  }

  /** Whether the breach timer of a deadline exists and fired. */
  breachTimer(
    db: Queryable,
    ticketId: string,
    metric: SlaMetric,
    round: number,
  ): Promise<{ fired_at: Date | null } | undefined> {
    return queryOne<{ fired_at: Date | null }>(
      db,
      `SELECT fired_at FROM sla_timers WHERE ticket_id = $1 AND metric = $2 AND kind = 'breach' AND round = $3`,
      [ticketId, metric, round],
    );
  }

  async cancelTimers(
    db: Queryable,
    ticketId: string,
    metric: SlaMetric,
    round: number,
    now: Date,
  ): Promise<void> {
    await execute(
      db,
      `UPDATE sla_timers SET cancelled_at = $4 WHERE ticket_id = $1 AND metric = $2 AND round = $3 AND fired_at IS NULL AND cancelled_at IS NULL`,
      [ticketId, metric, round, now],
    );
  }
}
