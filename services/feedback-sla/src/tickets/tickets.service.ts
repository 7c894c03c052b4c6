import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SurveyRequested, TicketOpened } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { notFound } from '@crm/service-kit';
import { deadlines, policyFromRow, selectPolicy } from '../policies/sla-policy';
import type { OpenTicketDto } from './open-ticket.dto';
import { firstResponseSeconds, resolutionSeconds, slaOutcomes, ticketsOpened } from './sla.metrics';

@Injectable()
export class TicketsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  async open(dto: OpenTicketDto, correlationId: string) {
    const id = randomUUID();
    await this.dataSource.transaction(async (manager) => {
      const [customer] = await manager.query(
        'SELECT value_tier, value_loyalty_segment FROM customers WHERE customer_id = $1',
        [dto.customerId],
      );
      const policies = (await manager.query('SELECT * FROM sla_policies ORDER BY position')).map(
        policyFromRow,
      );
      const priority = dto.priority ?? 'normal';
      const policy = selectPolicy(policies, {
        ticketType: dto.type,
        priority,
        customerTier: customer?.value_tier ?? null,
        customerSegment: customer?.value_loyalty_segment ?? null,
      });
      if (!policy)
        throw new ConflictException({
          statusCode: 409,
          code: 'NO_SLA_POLICY',
          message: 'no SLA policy matches this ticket; add a catch-all policy',
        });
      if (policy.requiresOwner && !dto.owner) {
        throw new BadRequestException({
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          message: [`owner: a ${dto.type} needs a dedicated owner (policy ${policy.id})`],
          fields: [{ field: 'owner', messages: ['is required by the SLA policy'] }],
        });
      }
      const openedAt = new Date();
      const due = deadlines(policy, openedAt);
      await manager.query(
        `INSERT INTO tickets (id, customer_id, ticket_type, priority, status, owner, subject, correlation_id, policy_id, opened_at,
                              first_response_due_at, resolution_due_at)
         VALUES ($1,$2,$3,$4,'open',$5,$6,$7,$8,$9,$10,$11)`,
        [
          id,
          dto.customerId,
          dto.type,
          priority,
          dto.owner ?? null,
          dto.subject ?? null,
          correlationId,
          policy.id,
          openedAt,
          due.firstResponseDueAt,
          due.resolutionDueAt,
        ],
      );
      await manager.query(
        `INSERT INTO sla_timers (ticket_id, metric, due_at) VALUES ($1, 'first-response', $2), ($1, 'resolution', $3)`,
        [id, due.firstResponseDueAt, due.resolutionDueAt],
      );
      await this.outbox.publish(
        manager,
        TicketOpened,
        {
          customerId: dto.customerId,
          ticketId: id,
          ticketType: dto.type,
          priority,
          policy: policy.id,
          firstResponseDueAt: due.firstResponseDueAt.toISOString(),
          resolutionDueAt: due.resolutionDueAt.toISOString(),
          openedAt: openedAt.toISOString(),
        },
        { subject: dto.customerId, correlationId },
      );
      ticketsOpened().inc({ ticket_type: dto.type, priority });
    });
    return this.get(id);
  }

  async respond(id: string) {
    await this.dataSource.transaction(async (manager) => {
      const ticket = await this.lock(manager, id);
      if (ticket.first_responded_at) return;
      const now = new Date();
      await manager.query(
        `UPDATE tickets SET first_responded_at = $2, status = CASE WHEN status = 'open' THEN 'responded' ELSE status END WHERE id = $1`,
        [id, now],
      );
      // A response after the deadline leaves the timer armed: the breach still counts.
      await manager.query(
        `UPDATE sla_timers SET cancelled_at = $2 WHERE ticket_id = $1 AND metric = 'first-response' AND fired_at IS NULL AND due_at > $2`,
        [id, now],
      );
      if (now <= new Date(ticket.first_response_due_at))
        slaOutcomes().inc({ policy: ticket.policy_id, metric: 'first-response', outcome: 'met' });
      firstResponseSeconds().observe(
        { ticket_type: ticket.ticket_type },
        (now.getTime() - new Date(ticket.opened_at).getTime()) / 1000,
      );
    });
    return this.get(id);
  }

  async resolve(id: string, correlationId: string) {
    await this.dataSource.transaction(async (manager) => {
      const ticket = await this.lock(manager, id);
      if (ticket.resolved_at) return;
      const now = new Date();
      await manager.query(
        `UPDATE tickets SET resolved_at = $2, status = 'resolved', first_responded_at = coalesce(first_responded_at, $2) WHERE id = $1`,
        [id, now],
      );
      await manager.query(
        `UPDATE sla_timers SET cancelled_at = $2 WHERE ticket_id = $1 AND fired_at IS NULL AND due_at > $2`,
        [id, now],
      );
      if (!ticket.first_responded_at && now <= new Date(ticket.first_response_due_at))
        slaOutcomes().inc({ policy: ticket.policy_id, metric: 'first-response', outcome: 'met' });
      if (now <= new Date(ticket.resolution_due_at))
        slaOutcomes().inc({ policy: ticket.policy_id, metric: 'resolution', outcome: 'met' });
      resolutionSeconds().observe(
        { ticket_type: ticket.ticket_type },
        (now.getTime() - new Date(ticket.opened_at).getTime()) / 1000,
      );
      const surveyId = randomUUID();
      const inserted: unknown[] = await manager.query(
        `INSERT INTO survey_requests (id, customer_id, kind, ticket_id, requested_at) VALUES ($1, $2, 'csat', $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
        [surveyId, ticket.customer_id, id, now],
      );
      if (inserted.length > 0) {
        await this.outbox.publish(
          manager,
          SurveyRequested,
          {
            customerId: ticket.customer_id,
            surveyId,
            kind: 'csat',
            ticketId: id,
            requestedAt: now.toISOString(),
          },
          { subject: ticket.customer_id, correlationId },
        );
      }
    });
    return this.get(id);
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
    return rows.map((r: Record<string, unknown>) => this.view(r));
  }

  private async lock(manager: EntityManager, id: string) {
    const [row] = await manager.query('SELECT * FROM tickets WHERE id = $1 FOR UPDATE', [id]);
    if (!row) throw notFound('ticket', id);
    return row;
  }

  private view(r: Record<string, unknown>) {
    return {
      id: r.id,
      customerId: r.customer_id,
      type: r.ticket_type,
      priority: r.priority,
      status: r.status,
      owner: r.owner,
      subject: r.subject,
      policy: r.policy_id,
      openedAt: r.opened_at,
      firstResponseDueAt: r.first_response_due_at,
      resolutionDueAt: r.resolution_due_at,
      firstRespondedAt: r.first_responded_at,
      resolvedAt: r.resolved_at,
      breaches: {
        firstResponse: r.first_response_breached_at ? { breachedAt: r.first_response_breached_at } : null,
        resolution: r.resolution_breached_at ? { breachedAt: r.resolution_breached_at } : null,
      },
    };
  }
}
