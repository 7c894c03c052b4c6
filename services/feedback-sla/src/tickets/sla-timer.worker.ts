import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  SlaBreached,
  SlaWarning,
  StaffNotificationRequested,
  TicketEscalated,
  type EscalationStep,
  type EscalationLevel,
  type SlaMetric,
} from '@crm/contracts';
import { OutboxPublisher, PG_NOTIFICATIONS } from '@crm/messaging';
import {
  claimScheduledJob,
  execute,
  queryOne,
  queryRows,
  recordScheduledJobResult,
  ServiceClock,
  type PgNotifications,
} from '@crm/persistence';
import { DueLoop } from '@crm/service-kit';
import { FeedbackConfig } from '../feedback.config';
import { SurveysService } from '../surveys/surveys.service';
import { TeamsService } from '../teams/teams.service';
import { SLA_TIMERS_CHANNEL } from './tickets.repository';
import {
  slaBreaches,
  slaOutcomes,
  slaTimerLag,
  slaTimersOverdue,
  slaWarnings,
  ticketEscalations,
  unroutedEscalations,
} from './sla.metrics';

const LEVELS: EscalationLevel[] = ['front-line', 'department', 'executive'];

interface DueTimer {
  id: string;
  ticket_id: string;
  metric: SlaMetric;
  kind: 'warning' | 'breach' | 'escalation';
  round: number;
  due_at: Date;
  customer_id: string;
  policy_id: string;
  correlation_id: string;
  escalation_level: EscalationLevel;
  owner: string | null;
  breach_due_at: Date | null;
}

/**
 * Durable SLA timers: rows in Postgres, claimed with SKIP LOCKED so that several replicas never fire the
 * same one, marked fired in the transaction that writes the event. A timer that came due while the
 * service was down fires at start, carrying the true deadline. Kinds: `warning` (SLA_WARNING_SHARE of the
 * target), `breach` (the target; also escalates front line → department) and `escalation` (executive).
 * The same loop runs the durable periodic jobs (the NPS round). It sleeps until the next timer or job is
 * due (read from the database's clock), wakes when a timer is armed anywhere (NOTIFY), and otherwise looks
 * at most every SLA_TIMER_POLL_MS: idle costs nothing, and a timer fires at its due time to the millisecond.
 */
@Injectable()
export class SlaTimerWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SlaTimerWorker.name);
  private readonly loop: DueLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly config: FeedbackConfig,
    private readonly surveys: SurveysService,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
    private readonly clock: ServiceClock,
    private readonly teams: TeamsService,
  ) {
    this.loop = new DueLoop(this.logger, 'SLA timer round failed', config.SLA_TIMER_POLL_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.startOnChannel(this.notifications, SLA_TIMERS_CHANNEL, () => this.tick());
    // Read at each scrape from the database, so a stuck worker shows as timers running late.
    const { dataSource, clock } = this;
    slaTimersOverdue(async function () {
      const row = await clock
        .now()
        .then((now) =>
          queryOne<{ seconds: number | null }>(
            dataSource,
            `SELECT extract(epoch FROM $1::timestamptz - min(due_at))::float8 AS seconds FROM sla_timers
              WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1`,
            [now],
          ),
        )
        .catch(() => undefined);
      this.set(row?.seconds ?? 0);
    });
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Fires what is due and runs due jobs; answers the milliseconds until the next timer or job is due. */
  private async tick(): Promise<number | undefined> {
    // A full batch means more may be due: keep going.
    for (let fired = 100; fired === 100;) fired = await this.fireDue();
    await this.runDueJobs();
    return this.clock.msUntil(
      `SELECT least(
         (SELECT min(due_at) FROM sla_timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at IS NOT NULL),
         (SELECT min(next_run_at) FROM scheduled_jobs)) AS at`,
    );
  }

  async fireDue(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      const due = await queryRows<DueTimer>(
        manager,
        `SELECT t.id, t.ticket_id, t.metric, t.kind, t.round, t.due_at, k.customer_id, k.policy_id, k.correlation_id,
                k.escalation_level, k.owner,
                (SELECT b.due_at FROM sla_timers b WHERE b.ticket_id = t.ticket_id AND b.metric = t.metric
                    AND b.round = t.round AND b.kind = 'breach') AS breach_due_at
           FROM sla_timers t JOIN tickets k ON k.id = t.ticket_id
          WHERE t.fired_at IS NULL AND t.cancelled_at IS NULL AND t.due_at <= $1
          ORDER BY t.due_at LIMIT 100 FOR UPDATE OF t SKIP LOCKED`,
        [now],
      );
      for (const timer of due) await this.fire(manager, timer, now);
      return due.length;
    });
  }

  private async fire(manager: EntityManager, timer: DueTimer, now: Date): Promise<void> {
    const dueAt = new Date(timer.due_at);
    await execute(manager, 'UPDATE sla_timers SET fired_at = $2 WHERE id = $1', [timer.id, now]);
    const meta = { subject: timer.customer_id, correlationId: timer.correlation_id };
    const base = { customerId: timer.customer_id, ticketId: timer.ticket_id, policy: timer.policy_id };
    slaTimerLag().observe((now.getTime() - dueAt.getTime()) / 1000);
    if (timer.kind === 'warning') {
      await this.outbox.publish(
        manager,
        SlaWarning,
        {
          ...base,
          metric: timer.metric,
          share: this.config.SLA_WARNING_SHARE,
          dueAt: new Date(timer.breach_due_at ?? dueAt).toISOString(),
          warnedAt: now.toISOString(),
        },
        meta,
      );
      slaWarnings().inc({ policy: timer.policy_id, metric: timer.metric });
      await this.notifyPerson(
        manager,
        timer,
        'warning',
        `${timer.metric} deadline near`,
        timer.breach_due_at ?? dueAt,
        now,
      );
      return;
    }
    if (timer.kind === 'escalation') {
      await this.escalate(manager, timer, 'executive', 'resolution long overdue', now);
      return;
    }
    const column =
      timer.metric === 'first-response'
        ? 'first_response_breached_at = $2'
        : timer.metric === 'resolution'
          ? 'resolution_breached_at = $2'
          : 'next_response_breaches = next_response_breaches + 1';
    await execute(manager, `UPDATE tickets SET ${column} WHERE id = $1`, [timer.ticket_id, now]);
    await this.outbox.publish(
      manager,
      SlaBreached,
      { ...base, metric: timer.metric, dueAt: dueAt.toISOString(), breachedAt: now.toISOString() },
      meta,
    );
    slaBreaches().inc({ policy: timer.policy_id, metric: timer.metric });
    slaOutcomes().inc({ policy: timer.policy_id, metric: timer.metric, outcome: 'breached' });
    this.logger.warn({
      msg: 'SLA breached',
      ticketId: timer.ticket_id,
      metric: timer.metric,
      policy: timer.policy_id,
      dueAt: dueAt.toISOString(),
    });
    await this.escalate(manager, timer, 'department', `${timer.metric} deadline breached`, now);
  }

  /** Moves a ticket up to `level` if it is below it; once per ticket and level. */
  private async escalate(
    manager: EntityManager,
    timer: DueTimer,
    level: EscalationLevel,
    reason: string,
    now: Date,
  ): Promise<void> {
    const ticket = await queryOne<{ escalation_level: EscalationLevel }>(
      manager,
      'SELECT escalation_level FROM tickets WHERE id = $1 FOR UPDATE',
      [timer.ticket_id],
    );
    const previous = ticket?.escalation_level ?? 'front-line';
    if (LEVELS.indexOf(previous) >= LEVELS.indexOf(level)) return;
    await execute(manager, 'UPDATE tickets SET escalation_level = $2, updated_at = $3 WHERE id = $1', [
      timer.ticket_id,
      level,
      now,
    ]);
    await this.outbox.publish(
      manager,
      TicketEscalated,
      {
        customerId: timer.customer_id,
        ticketId: timer.ticket_id,
        level,
        previousLevel: previous,
        policy: timer.policy_id,
        reason,
        escalatedAt: now.toISOString(),
      },
      { subject: timer.customer_id, correlationId: timer.correlation_id },
    );
    ticketEscalations().inc({ level });
    await this.notifyPerson(
      manager,
      timer,
      level === 'executive' ? 'executive' : 'breach',
      reason,
      new Date(timer.due_at),
      now,
    );
  }

  /**
   * Routes an escalation step to the person who takes it (the owner, the lead of the owner's team, the
   * executive on call) as `staff notification requested`; growth-campaigns delivers it. A step nobody can
   * take (no owner, no team) is counted as unrouted and logged.
   */
  private async notifyPerson(
    manager: EntityManager,
    timer: DueTimer,
    step: EscalationStep,
    reason: string,
    dueAt: Date,
    now: Date,
  ): Promise<void> {
    const person = await this.teams.escalationPerson(manager, timer.owner, step, now);
    if (!person) {
      unroutedEscalations().inc({ step });
      this.logger.warn({
        msg: 'escalation step reaches nobody',
        ticketId: timer.ticket_id,
        step,
        owner: timer.owner,
      });
      return;
    }
    await this.outbox.publish(
      manager,
      StaffNotificationRequested,
      {
        customerId: timer.customer_id,
        ticketId: timer.ticket_id,
        notificationId: randomUUID(),
        staffId: person.staffId,
        role: step === 'warning' ? 'owner' : step === 'breach' ? 'team-lead' : 'executive-on-call',
        step,
        teamId: person.teamId,
        policy: timer.policy_id,
        reason,
        dueAt: new Date(dueAt).toISOString(),
        requestedAt: now.toISOString(),
      },
      { subject: timer.customer_id, correlationId: timer.correlation_id },
    );
  }

  /** The periodic NPS round: a durable job claimed by one replica. */
  private async runDueJobs(): Promise<void> {
    const now = await this.clock.now();
    const interval = this.config.NPS_ROUND_INTERVAL_HOURS * 3600;
    if (!(await claimScheduledJob(this.dataSource, 'nps-round', interval, now))) return;
    const result = await this.surveys.npsRound(`nps-round-${randomUUID()}`);
    await recordScheduledJobResult(this.dataSource, 'nps-round', result);
  }
}
