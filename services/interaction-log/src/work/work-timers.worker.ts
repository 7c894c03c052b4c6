import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NeedOverdue, PlanTaskDelayed, PlanTaskEscalated, type PlanTaskV1 } from '@crm/contracts';
import { OutboxPublisher, PG_NOTIFICATIONS } from '@crm/messaging';
import { counter } from '@crm/observability';
import { execute, queryOne, queryRows, ServiceClock, type PgNotifications } from '@crm/persistence';
import { DueLoop } from '@crm/service-kit';
import { InteractionLogConfig } from '../interaction-log.config';
import { NeedsService, WORK_TIMERS_CHANNEL, type NeedRow } from '../needs/needs.service';
import type { TaskRow } from '../plans/plans.service';

const BATCH = 100;
const DAY_MS = 86_400_000;

const workAlerts = () =>
  counter('crm_work_alerts_total', 'Needs overdue, plan tasks delayed and escalated', ['kind']);

function taskPayload(t: TaskRow): PlanTaskV1 {
  return {
    planId: t.plan_id,
    taskId: t.id,
    title: t.title,
    owner: t.owner,
    department: t.department,
    dueAt: t.due_at.toISOString(),
    progress: t.progress,
    lastProgressAt: t.last_progress_at.toISOString(),
  };
}

/**
 * The deadlines of the account manager's work, durable in Postgres and read on the service clock: a need
 * past its due date unsolved is announced overdue (growth-campaigns puts it in the owner's queue); a plan
 * task without a progress note for PLAN_TASK_STALL_DAYS is flagged delayed; a task past its deadline
 * escalates to its department, and PLAN_TASK_EXECUTIVE_AFTER_DAYS later to the executive level. Each fires
 * once (the row remembers it), claimed with SKIP LOCKED so replicas never fire the same one, in the
 * transaction that writes its event. The loop sleeps until the next due time, wakes on a NOTIFY when a
 * deadline is set and when the clock moves.
 */
@Injectable()
export class WorkTimersWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkTimersWorker.name);
  private readonly loop: DueLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly needs: NeedsService,
    private readonly config: InteractionLogConfig,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
    private readonly clock: ServiceClock,
  ) {
    this.loop = new DueLoop(this.logger, 'work timer round failed', config.WORK_TIMER_POLL_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.startOnChannel(this.notifications, WORK_TIMERS_CHANNEL, () => this.round());
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Fires what is due, then answers the milliseconds until the next deadline (undefined: none). */
  async round(): Promise<number | undefined> {
    while ((await this.overdueNeeds()) + (await this.delayedTasks()) + (await this.lateTasks()) > 0);
    const stall = `make_interval(days => ${this.config.PLAN_TASK_STALL_DAYS})`;
    const executive = `make_interval(days => ${this.config.PLAN_TASK_EXECUTIVE_AFTER_DAYS})`;
    return this.clock.msUntil(`
      SELECT least(
        (SELECT min(due_at) FROM needs WHERE status IN ('open', 'in-progress') AND overdue_at IS NULL),
        (SELECT min(last_progress_at + ${stall}) FROM plan_tasks WHERE status IN ('open', 'in-progress') AND delayed_at IS NULL),
        (SELECT min(CASE WHEN escalation_level IS NULL THEN due_at ELSE due_at + ${executive} END) FROM plan_tasks
          WHERE status IN ('open', 'in-progress') AND escalation_level IS DISTINCT FROM 'executive')
      ) AS at`);
  }

  private overdueNeeds(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      const due = await queryRows<{ id: string }>(
        manager,
        `SELECT id FROM needs WHERE status IN ('open', 'in-progress') AND overdue_at IS NULL AND due_at <= $1
          ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, BATCH],
      );
      for (const { id } of due) {
        await execute(manager, 'UPDATE needs SET overdue_at = $2 WHERE id = $1', [id, now]);
        const row = (await queryOne<NeedRow>(manager, 'SELECT * FROM needs WHERE id = $1', [id]))!;
        await this.outbox.publish(
          manager,
          NeedOverdue,
          { ...this.needs.payload(row, now), overdueAt: now.toISOString() },
          { subject: row.customer_id, correlationId: `need-overdue-${id}` },
        );
        workAlerts().inc({ kind: 'need-overdue' });
      }
      return due.length;
    });
  }

  private delayedTasks(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      const due = await queryRows<TaskRow>(
        manager,
        `SELECT * FROM plan_tasks WHERE status IN ('open', 'in-progress') AND delayed_at IS NULL
            AND last_progress_at + make_interval(days => $2) <= $1
          ORDER BY last_progress_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [now, this.config.PLAN_TASK_STALL_DAYS, BATCH],
      );
      for (const task of due) {
        await execute(manager, 'UPDATE plan_tasks SET delayed_at = $2 WHERE id = $1', [task.id, now]);
        await this.outbox.publish(
          manager,
          PlanTaskDelayed,
          {
            ...taskPayload(task),
            daysWithoutProgress: Math.floor((now.getTime() - task.last_progress_at.getTime()) / DAY_MS),
            delayedAt: now.toISOString(),
          },
          { subject: task.plan_id, correlationId: `plan-task-delayed-${task.id}` },
        );
        workAlerts().inc({ kind: 'plan-task-delayed' });
      }
      return due.length;
    });
  }

  private lateTasks(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      const due = await queryRows<TaskRow>(
        manager,
        `SELECT * FROM plan_tasks WHERE status IN ('open', 'in-progress')
            AND ((escalation_level IS NULL AND due_at <= $1)
              OR (escalation_level = 'department' AND due_at + make_interval(days => $2) <= $1))
          ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [now, this.config.PLAN_TASK_EXECUTIVE_AFTER_DAYS, BATCH],
      );
      for (const task of due) {
        const executiveAt = task.due_at.getTime() + this.config.PLAN_TASK_EXECUTIVE_AFTER_DAYS * DAY_MS;
        // A task found late by more than the executive step (the service was down) goes straight there.
        const level =
          task.escalation_level === 'department' || now.getTime() >= executiveAt ? 'executive' : 'department';
        await execute(
          manager,
          'UPDATE plan_tasks SET escalation_level = $2, escalated_at = $3 WHERE id = $1',
          [task.id, level, now],
        );
        await this.outbox.publish(
          manager,
          PlanTaskEscalated,
          { ...taskPayload(task), level, escalatedAt: now.toISOString() },
          { subject: task.plan_id, correlationId: `plan-task-escalated-${task.id}-${level}` },
        );
        workAlerts().inc({ kind: `plan-task-escalated-${level}` });
      }
      return due.length;
    });
  }
}
