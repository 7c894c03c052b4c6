import {
  Controller,
  Get,
  Inject,
  Injectable,
  Logger,
  Query,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { Roles } from '@crm/auth';
import { STAFF_ID, type StaffNotificationRequestedV1 } from '@crm/contracts';
import { PG_NOTIFICATIONS } from '@crm/messaging';
import { counter } from '@crm/observability';
import { execute, queryOne, queryRows, type PgNotifications } from '@crm/persistence';
import { DueLoop } from '@crm/service-kit';
import { CampaignsConfig } from '../campaigns.config';
import type { ChannelAdapter } from './channel-adapter';
import { UndeliverableError } from './drivers';

export const STAFF_CHANNEL = Symbol('STAFF_CHANNEL');
const STAFF_NOTIFICATIONS_CHANNEL = 'crm_staff_notifications';
const BATCH = 20;
const MAX_ATTEMPTS = 10;

const staffDeliveries = () =>
  counter('crm_staff_notifications_total', 'Escalation steps handed to a person through a channel', [
    'step',
    'outcome',
  ]);

interface NotificationRow {
  id: string;
  staff_id: string;
  role: string;
  step: string;
  team_id: string | null;
  ticket_id: string;
  customer_id: string;
  policy: string;
  reason: string;
  due_at: Date | null;
  attempts: number;
}

const ROLE_WORDS: Record<string, string> = {
  owner: 'as its owner',
  'team-lead': 'as the lead of its team',
  'executive-on-call': 'as the executive on call',
};

/** The service message a person receives: ids and deadlines only, never the customer's personal data. */
export function staffMessage(n: NotificationRow): { subject: string; body: string } {
  const due = n.due_at ? ` (deadline ${n.due_at.toISOString()})` : '';
  return {
    subject: `[CRM] Ticket ${n.ticket_id.slice(0, 8)}: ${n.step === 'warning' ? 'deadline near' : 'escalated to you'}`,
    body: [
      `Ticket ${n.ticket_id} needs you ${ROLE_WORDS[n.role] ?? ''}.`,
      `Step: ${n.step}${due}. Reason: ${n.reason}.`,
      `SLA policy: ${n.policy}${n.team_id ? `; team: ${n.team_id}` : ''}.`,
      `Open it in the queue: GET /feedback/tickets/${n.ticket_id}`,
    ].join('\n'),
  };
}

/**
 * Escalation steps routed to people: recorded once per notification id when the event arrives, then handed
 * to the staff channel (e-mail to the address feedback-sla keeps, read at the moment of sending; else the
 * default driver) by a loop that wakes on NOTIFY, retries with backoff and gives up after MAX_ATTEMPTS.
 * A service message: no consent, quiet hours or contact budget applies (it is not marketing, nor to a customer).
 */
@Injectable()
export class StaffNotifications implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StaffNotifications.name);
  private readonly loop: DueLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: CampaignsConfig,
    @Inject(STAFF_CHANNEL) private readonly channel: ChannelAdapter & { readonly name?: string },
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
  ) {
    this.loop = new DueLoop(this.logger, 'staff notification round failed', config.CARE_DISPATCH_POLL_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.startOnChannel(this.notifications, STAFF_NOTIFICATIONS_CHANNEL, async () =>
      (await this.dispatchOnce()) === BATCH ? 0 : this.nextDueMs(),
    );
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** In the event's transaction: the notification, once; the loop is woken at commit. */
  async record(manager: EntityManager, n: StaffNotificationRequestedV1): Promise<void> {
    await execute(
      manager,
      `INSERT INTO staff_notifications (id, staff_id, role, step, team_id, ticket_id, customer_id, policy, reason, due_at, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
      [
        n.notificationId,
        n.staffId,
        n.role,
        n.step,
        n.teamId ?? null,
        n.ticketId,
        n.customerId,
        n.policy,
        n.reason,
        n.dueAt ?? null,
        n.requestedAt,
      ],
    );
    await execute(manager, `SELECT pg_notify('${STAFF_NOTIFICATIONS_CHANNEL}', '')`);
  }

  async list(filter: { staffId?: string; ticketId?: string }) {
    const rows = await queryRows<
      NotificationRow & {
        status: string;
        channel: string | null;
        last_error: string | null;
        requested_at: Date;
        delivered_at: Date | null;
      }
    >(
      this.dataSource,
      `SELECT * FROM staff_notifications WHERE ($1::text IS NULL OR staff_id = $1) AND ($2::uuid IS NULL OR ticket_id = $2)
        ORDER BY created_at DESC LIMIT 200`,
      [filter.staffId ?? null, filter.ticketId ?? null],
    );
    return rows.map((r) => ({
      notificationId: r.id,
      staffId: r.staff_id,
      role: r.role,
      step: r.step,
      teamId: r.team_id,
      ticketId: r.ticket_id,
      customerId: r.customer_id,
      reason: r.reason,
      status: r.status,
      channel: r.channel,
      attempts: r.attempts,
      lastError: r.last_error,
      requestedAt: r.requested_at,
      deliveredAt: r.delivered_at,
    }));
  }

  private async nextDueMs(): Promise<number | undefined> {
    const next = await queryOne<{ ms: number | null }>(
      this.dataSource,
      `SELECT (extract(epoch FROM min(next_attempt_at) - now()) * 1000)::float8 AS ms
         FROM staff_notifications WHERE status = 'pending'`,
    );
    return next?.ms ?? undefined;
  }

  /** One round: due notifications, locked so replicas share the work, each delivered and marked. */
  async dispatchOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await queryRows<NotificationRow>(
        manager,
        `SELECT id, staff_id, role, step, team_id, ticket_id, customer_id, policy, reason, due_at, attempts
           FROM staff_notifications WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      );
      for (const n of due) await this.deliver(manager, n);
      return due.length;
    });
  }

  private async deliver(manager: EntityManager, n: NotificationRow): Promise<void> {
    const channel = this.config.SMTP_URL ? 'email' : 'log';
    try {
      await this.channel.deliver({
        careActionId: n.id,
        customerId: n.staff_id,
        channel,
        action: `escalation-${n.step}`,
        purpose: 'service',
        idempotencyKey: `staff-${n.id}`,
        message: { template: 'staff-escalation', locale: 'en', ...staffMessage(n) },
      });
    } catch (error) {
      const undeliverable = error instanceof UndeliverableError;
      const attempts = n.attempts + 1;
      const status = undeliverable ? 'undeliverable' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
      const backoffMs = Math.min(
        this.config.CARE_RETRY_BASE_MS * 2 ** n.attempts,
        this.config.CARE_RETRY_MAX_MS,
      );
      await execute(
        manager,
        `UPDATE staff_notifications SET status = $2, attempts = $3, last_error = $4, channel = $5,
                next_attempt_at = now() + make_interval(secs => $6::float8 / 1000) WHERE id = $1`,
        [n.id, status, attempts, (error as Error).message.slice(0, 500), channel, backoffMs],
      );
      if (status !== 'pending') staffDeliveries().inc({ step: n.step, outcome: status });
      this.logger.warn({
        msg: 'staff notification not delivered',
        notificationId: n.id,
        staffId: n.staff_id,
        status,
        error: (error as Error).message,
      });
      return;
    }
    await execute(
      manager,
      `UPDATE staff_notifications SET status = 'delivered', attempts = attempts + 1, channel = $2, delivered_at = now(),
              last_error = NULL WHERE id = $1`,
      [n.id, channel],
    );
    staffDeliveries().inc({ step: n.step, outcome: 'delivered' });
  }
}

export class StaffNotificationsQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(STAFF_ID, { message: 'staffId must be a staff id' })
  staffId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() ticketId?: string;
}

@ApiTags('staff-notifications')
@ApiBearerAuth()
@Controller('staff-notifications')
export class StaffNotificationsController {
  constructor(private readonly notifications: StaffNotifications) {}

  @Get()
  @Roles('agent', 'analyst', 'admin')
  @ApiOperation({
    summary: 'Escalation steps sent to people, newest first: who, why, through which channel, when',
  })
  list(@Query() query: StaffNotificationsQueryDto) {
    return this.notifications.list(query);
  }
}
