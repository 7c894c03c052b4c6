import { toCsv } from '@crm/service-kit';
import type { PlanRow, TaskRow } from './plans.service';

export interface WeekNote {
  task_id: string;
  note: string;
  progress: number;
  author: string;
  noted_at: Date;
}

export interface TaskWeek {
  taskId: string;
  title: string;
  owner: string;
  department: string;
  status: string;
  progress: number;
  /** Progress points gained this week (from the last note before the week, or 0). */
  progressThisWeek: number;
  dueAt: string;
  daysToDeadline: number;
  delayed: boolean;
  escalationLevel: string | null;
  notesThisWeek: { at: string; author: string; progress: number; note: string }[];
}

export interface PlanWeekSummary {
  planId: string;
  name: string;
  owner: string;
  week: { from: string; to: string };
  tasks: TaskWeek[];
  totals: {
    tasks: number;
    done: number;
    open: number;
    delayed: number;
    overdue: number;
    escalated: number;
    /** The mean progress of the tasks not cancelled, 0-100. */
    progress: number;
    notesThisWeek: number;
  };
}

const DAY = 86_400_000;

/** The Monday 00:00 UTC of the week holding `day`, and the Monday after. */
export function weekOf(day: Date): { from: Date; to: Date } {
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  const from = new Date(midnight - ((new Date(midnight).getUTCDay() + 6) % 7) * DAY);
  return { from, to: new Date(from.getTime() + 7 * DAY) };
}

/**
 * The weekly progress summary of a plan: each task with its status, progress and what moved this week (its
 * notes), and the plan's totals, as of `now`. Defined once: the JSON answer and the CSV export are two
 * renderings of this.
 */
export function planWeekSummary(
  plan: PlanRow,
  tasks: TaskRow[],
  notes: WeekNote[],
  notesBefore: Map<string, number>,
  week: { from: Date; to: Date },
  now: Date,
): PlanWeekSummary {
  const open = (t: TaskRow) => t.status === 'open' || t.status === 'in-progress';
  const rows = tasks.map((t): TaskWeek => {
    const mine = notes.filter((n) => n.task_id === t.id).sort((a, b) => +a.noted_at - +b.noted_at);
    const lastInWeek = mine.length ? mine[mine.length - 1].progress : undefined;
    return {
      taskId: t.id,
      title: t.title,
      owner: t.owner,
      department: t.department,
      status: t.status,
      progress: t.progress,
      progressThisWeek: lastInWeek === undefined ? 0 : lastInWeek - (notesBefore.get(t.id) ?? 0),
      dueAt: t.due_at.toISOString(),
      daysToDeadline: Math.floor((t.due_at.getTime() - now.getTime()) / DAY),
      delayed: t.delayed_at !== null && open(t),
      escalationLevel: open(t) ? t.escalation_level : null,
      notesThisWeek: mine.map((n) => ({
        at: n.noted_at.toISOString(),
        author: n.author,
        progress: n.progress,
        note: n.note,
      })),
    };
  });
  const counted = tasks.filter((t) => t.status !== 'cancelled');
  return {
    planId: plan.id,
    name: plan.name,
    owner: plan.owner,
    week: {
      from: week.from.toISOString().slice(0, 10),
      to: new Date(week.to.getTime() - DAY).toISOString().slice(0, 10),
    },
    tasks: rows,
    totals: {
      tasks: tasks.length,
      done: tasks.filter((t) => t.status === 'done').length,
      open: tasks.filter(open).length,
      delayed: rows.filter((r) => r.delayed).length,
      overdue: tasks.filter((t) => open(t) && t.due_at.getTime() <= now.getTime()).length,
      escalated: rows.filter((r) => r.escalationLevel !== null).length,
      progress: counted.length
        ? Math.round(counted.reduce((sum, t) => sum + t.progress, 0) / counted.length)
        : 0,
      notesThisWeek: notes.length,
    },
  };
}

export const SUMMARY_CSV_COLUMNS = [
  'week_from',
  'task_id',
  'title',
  'owner',
  'department',
  'status',
  'progress',
  'progress_this_week',
  'due_at',
  'days_to_deadline',
  'delayed',
  'escalation_level',
  'notes_this_week',
  'latest_note',
] as const;

/** The summary as CSV: a header and one line per task (RFC 4180, CRLF line ends). */
export function summaryCsv(summary: PlanWeekSummary): string {
  return toCsv(
    SUMMARY_CSV_COLUMNS,
    summary.tasks.map((t) => [
      summary.week.from,
      t.taskId,
      t.title,
      t.owner,
      t.department,
      t.status,
      t.progress,
      t.progressThisWeek,
      t.dueAt,
      t.daysToDeadline,
      t.delayed,
      t.escalationLevel,
      t.notesThisWeek.length,
      t.notesThisWeek.length ? t.notesThisWeek[t.notesThisWeek.length - 1].note : null,
    ]),
  );
}
