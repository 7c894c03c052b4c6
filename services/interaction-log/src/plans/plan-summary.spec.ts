import fc from 'fast-check';
import { csvField } from '@crm/service-kit';
import { planWeekSummary, summaryCsv, weekOf } from './plan-summary';
import type { PlanRow, TaskRow } from './plans.service';

/** A strict RFC 4180 reader, for the round trip. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

const plan: PlanRow = {
  id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  name: 'Service recovery',
  goal: 'CSAT 4.5',
  owner: 'head-of-service',
  starts_on: '2024-07-01',
  ends_on: '2024-12-31',
  kpi_goal_ids: [],
  created_at: new Date('2024-07-01T00:00:00Z'),
};
const task = (over: Partial<TaskRow>): TaskRow => ({
  id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
  plan_id: plan.id,
  title: 'Triage rota',
  owner: 'lead-service',
  department: 'customer-service',
  due_at: new Date('2024-07-20T17:00:00Z'),
  status: 'in-progress',
  progress: 60,
  last_progress_at: new Date('2024-07-10T09:00:00Z'),
  delayed_at: null,
  escalation_level: null,
  escalated_at: null,
  created_at: new Date('2024-07-01T00:00:00Z'),
  done_at: null,
  ...over,
});

describe('the weekly plan summary', () => {
  it('runs Monday to Sunday in UTC', () => {
    expect(weekOf(new Date('2024-07-10T23:59:00Z'))).toEqual({
      from: new Date('2024-07-08T00:00:00Z'),
      to: new Date('2024-07-15T00:00:00Z'),
    });
    expect(weekOf(new Date('2024-07-14T12:00:00Z')).from).toEqual(new Date('2024-07-08T00:00:00Z'));
    expect(weekOf(new Date('2024-07-15T00:00:00Z')).from).toEqual(new Date('2024-07-15T00:00:00Z'));
  });

  it("counts the week's progress from the last note before it, and totals the plan", () => {
    const week = weekOf(new Date('2024-07-10T00:00:00Z'));
    const summary = planWeekSummary(
      plan,
      [
        task({}),
        task({ id: 'b', status: 'done', progress: 100 }),
        task({ id: 'c', status: 'open', progress: 0, delayed_at: new Date('2024-07-09T00:00:00Z') }),
        task({ id: 'd', status: 'cancelled', progress: 0 }),
      ],
      [
        {
          task_id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
          note: 'rota drafted',
          progress: 40,
          author: 'lead',
          noted_at: new Date('2024-07-08T10:00:00Z'),
        },
        {
          task_id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
          note: 'live in 2 of 3 teams',
          progress: 60,
          author: 'lead',
          noted_at: new Date('2024-07-10T09:00:00Z'),
        },
      ],
      new Map([['2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', 20]]),
      week,
      new Date('2024-07-12T12:00:00Z'),
    );
    expect(summary.week).toEqual({ from: '2024-07-08', to: '2024-07-14' });
    expect(summary.tasks[0]).toMatchObject({ progressThisWeek: 40, daysToDeadline: 8, delayed: false });
    expect(summary.tasks[0].notesThisWeek.map((n) => n.note)).toEqual([
      'rota drafted',
      'live in 2 of 3 teams',
    ]);
    expect(summary.totals).toEqual({
      tasks: 4,
      done: 1,
      open: 2,
      delayed: 1,
      overdue: 0,
      escalated: 0,
      progress: 53,
      notesThisWeek: 2,
    });
  });

  it('exports CSV that reads back to the same fields, whatever the text (generated)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 100 }), (title, note, progress) => {
        const week = weekOf(new Date('2024-07-10T00:00:00Z'));
        const summary = planWeekSummary(
          plan,
          [task({ title, progress })],
          [{ task_id: task({}).id, note, progress, author: 'a', noted_at: new Date('2024-07-09T00:00:00Z') }],
          new Map(),
          week,
          new Date('2024-07-10T00:00:00Z'),
        );
        const rows = parseCsv(summaryCsv(summary));
        expect(rows).toHaveLength(2);
        expect(rows[1]).toHaveLength(rows[0].length);
        const defuse = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
        expect(rows[1][2]).toBe(defuse(title));
        expect(rows[1][13]).toBe(defuse(note));
        expect(rows[1][6]).toBe(String(progress));
      }),
    );
  });

  it('defuses spreadsheet formulas and quotes what needs quoting', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
  });
});
