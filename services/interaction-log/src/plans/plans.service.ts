import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { execute, queryOne, queryRows, ServiceClock } from '@crm/persistence';
import { calendarDate, invalid, notFound } from '@crm/service-kit';
import { WORK_TIMERS_CHANNEL } from '../needs/needs.service';
import type { AddTaskDto, CreatePlanDto, TaskProgressDto } from './plans.dto';
import { planWeekSummary, weekOf, type PlanWeekSummary, type WeekNote } from './plan-summary';

export type TaskStatus = 'open' | 'in-progress' | 'done' | 'cancelled';
const OPEN: TaskStatus[] = ['open', 'in-progress'];
const PLAN_COLUMNS = `id, name, goal, owner, to_char(starts_on, 'YYYY-MM-DD') AS starts_on,
  to_char(ends_on, 'YYYY-MM-DD') AS ends_on, kpi_goal_ids, created_at`;

export interface PlanRow {
  id: string;
  name: string;
  goal: string;
  owner: string;
  starts_on: string;
  ends_on: string;
  kpi_goal_ids: string[];
  created_at: Date;
}

export interface TaskRow {
  id: string;
  plan_id: string;
  title: string;
  owner: string;
  department: string;
  due_at: Date;
  status: TaskStatus;
  progress: number;
  last_progress_at: Date;
  delayed_at: Date | null;
  escalation_level: 'department' | 'executive' | null;
  escalated_at: Date | null;
  created_at: Date;
  done_at: Date | null;
}

export class TaskView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) planId: string;
  @ApiProperty() title: string;
  @ApiProperty() owner: string;
  @ApiProperty() department: string;
  @ApiProperty() dueAt: Date;
  @ApiProperty({ enum: ['open', 'in-progress', 'done', 'cancelled'] }) status: TaskStatus;
  @ApiProperty() progress: number;
  @ApiProperty() lastProgressAt: Date;
  @ApiProperty({ description: 'No progress for the stall period (two weeks)' }) delayed: boolean;
  @ApiPropertyOptional({ nullable: true, enum: ['department', 'executive'] }) escalationLevel:
    'department' | 'executive' | null;
  @ApiPropertyOptional({ nullable: true }) doneAt: Date | null;
}

export class PlanView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() goal: string;
  @ApiProperty() owner: string;
  @ApiProperty() startsOn: string;
  @ApiProperty() endsOn: string;
  @ApiProperty({ type: [String] }) kpiGoalIds: string[];
  @ApiProperty({ type: [TaskView] }) tasks: TaskView[];
}

export function toTaskView(r: TaskRow): TaskView {
  return {
    id: r.id,
    planId: r.plan_id,
    title: r.title,
    owner: r.owner,
    department: r.department,
    dueAt: r.due_at,
    status: r.status,
    progress: r.progress,
    lastProgressAt: r.last_progress_at,
    delayed: r.delayed_at !== null && OPEN.includes(r.status),
    escalationLevel: r.escalation_level,
    doneAt: r.done_at,
  };
}

/**
 * Improvement plans (goal, owner, start and end, the KPI goals they serve) made of cross-team tasks with an
 * owner, a department, a deadline, progress notes and a status. The work timers flag a task without progress
 * for two weeks as delayed and escalate one past its deadline.
 */
@Injectable()
export class PlansService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: ServiceClock,
  ) {}

  async create(dto: CreatePlanDto): Promise<PlanView> {
    const starts = calendarDate('startsOn', dto.startsOn);
    const ends = calendarDate('endsOn', dto.endsOn);
    if (ends < starts) throw invalid('endsOn', 'must not be before startsOn');
    const id = randomUUID();
    await execute(
      this.dataSource,
      `INSERT INTO plans (id, name, goal, owner, starts_on, ends_on, kpi_goal_ids, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        id,
        dto.name,
        dto.goal,
        dto.owner,
        dto.startsOn,
        dto.endsOn,
        dto.kpiGoalIds ?? [],
        await this.clock.now(),
      ],
    );
    return this.get(id);
  }

  async list(): Promise<Omit<PlanView, 'tasks'>[]> {
    const rows = await queryRows<PlanRow>(
      this.dataSource,
      `SELECT ${PLAN_COLUMNS} FROM plans ORDER BY starts_on DESC, id LIMIT 500`,
    );
    return rows.map(toPlanView);
  }

  async get(id: string): Promise<PlanView> {
    const plan = await this.plan(id);
    return { ...toPlanView(plan), tasks: (await this.tasks(id)).map(toTaskView) };
  }

  async plan(id: string): Promise<PlanRow> {
    const row = await queryOne<PlanRow>(this.dataSource, `SELECT ${PLAN_COLUMNS} FROM plans WHERE id = $1`, [
      id,
    ]);
    if (!row) throw notFound('plan', id);
    return row;
  }

  tasks(planId: string): Promise<TaskRow[]> {
    return queryRows<TaskRow>(
      this.dataSource,
      'SELECT * FROM plan_tasks WHERE plan_id = $1 ORDER BY due_at, id',
      [planId],
    );
  }

  async addTask(planId: string, dto: AddTaskDto): Promise<TaskView> {
    await this.plan(planId);
    const id = randomUUID();
    await this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      await execute(
        manager,
        `INSERT INTO plan_tasks (id, plan_id, title, owner, department, due_at, last_progress_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [id, planId, dto.title, dto.owner, dto.department, new Date(dto.dueAt), now],
      );
      await execute(manager, `SELECT pg_notify('${WORK_TIMERS_CHANNEL}', '')`);
    });
    return this.task(id);
  }

  /** A progress note: the task is not delayed any more (the stall period starts again). */
  async progress(taskId: string, dto: TaskProgressDto, author: string): Promise<TaskView> {
    await this.dataSource.transaction(async (manager) => {
      const task = await queryOne<TaskRow>(manager, 'SELECT * FROM plan_tasks WHERE id = $1 FOR UPDATE', [
        taskId,
      ]);
      if (!task) throw notFound('plan task', taskId);
      if (!OPEN.includes(task.status))
        throw invalid('status', `the task is ${task.status}; progress is noted on open tasks only`);
      const now = await this.clock.now(manager);
      const status = dto.status ?? (dto.progress === 100 ? 'done' : 'in-progress');
      await execute(
        manager,
        `UPDATE plan_tasks SET progress = $2, status = $3, last_progress_at = $4, delayed_at = NULL,
                done_at = CASE WHEN $3::text IN ('done', 'cancelled') THEN $4::timestamptz ELSE NULL END WHERE id = $1`,
        [taskId, dto.progress, status, now],
      );
      await execute(
        manager,
        `INSERT INTO plan_task_notes (task_id, note, progress, status, author, noted_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [taskId, dto.note, dto.progress, status, author, now],
      );
      await execute(manager, `SELECT pg_notify('${WORK_TIMERS_CHANNEL}', '')`);
    });
    return this.task(taskId);
  }

  /** The weekly progress summary of a plan (the week holding `weekOf`, this week by default). */
  async summary(planId: string, weekOfDay?: string): Promise<PlanWeekSummary> {
    const plan = await this.plan(planId);
    const now = await this.clock.now();
    const week = weekOf(weekOfDay ? calendarDate('weekOf', weekOfDay) : now);
    const tasks = await this.tasks(planId);
    const notes = await queryRows<WeekNote>(
      this.dataSource,
      `SELECT n.task_id, n.note, n.progress, n.author, n.noted_at FROM plan_task_notes n
         JOIN plan_tasks t ON t.id = n.task_id
        WHERE t.plan_id = $1 AND n.noted_at >= $2 AND n.noted_at < $3 ORDER BY n.noted_at, n.id`,
      [planId, week.from, week.to],
    );
    const before = await queryRows<{ task_id: string; progress: number }>(
      this.dataSource,
      `SELECT DISTINCT ON (n.task_id) n.task_id, n.progress FROM plan_task_notes n JOIN plan_tasks t ON t.id = n.task_id
        WHERE t.plan_id = $1 AND n.noted_at < $2 ORDER BY n.task_id, n.noted_at DESC, n.id DESC`,
      [planId, week.from],
    );
    return planWeekSummary(
      plan,
      tasks,
      notes,
      new Map(before.map((b) => [b.task_id, b.progress])),
      week,
      now,
    );
  }

  /** An owner's open plan tasks: escalated and delayed first, then by deadline. */
  async forOwner(owner: string): Promise<TaskView[]> {
    const rows = await queryRows<TaskRow>(
      this.dataSource,
      `SELECT * FROM plan_tasks WHERE owner = $1 AND status = ANY($2)
        ORDER BY (escalation_level IS NOT NULL) DESC, (delayed_at IS NOT NULL) DESC, due_at, id LIMIT 500`,
      [owner, OPEN],
    );
    return rows.map(toTaskView);
  }

  private async task(id: string): Promise<TaskView> {
    const row = await queryOne<TaskRow>(this.dataSource, 'SELECT * FROM plan_tasks WHERE id = $1', [id]);
    if (!row) throw notFound('plan task', id);
    return toTaskView(row);
  }
}

function toPlanView(r: PlanRow): Omit<PlanView, 'tasks'> {
  return {
    id: r.id,
    name: r.name,
    goal: r.goal,
    owner: r.owner,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    kpiGoalIds: r.kpi_goal_ids,
  };
}
