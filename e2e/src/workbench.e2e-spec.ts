import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { NeedChanged, NeedOverdue, PlanTaskDelayed, PlanTaskEscalated, Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call } from './http';
import { eventsOnce } from './helpers';
import { e2eSession } from './session';

/**
 * The account manager's working tools in interaction-log: the customer needs register (an overdue need
 * becomes a task in its owner's queue and an event, an unsolved need a `need:<type>` tag) and improvement
 * plans whose cross-team tasks are flagged delayed after two weeks without progress and escalate past their
 * deadline, with a weekly summary as JSON and CSV. Schemas of its own: it moves interaction-log's clock.
 */
const run = randomUUID().slice(0, 6);
const e2e = e2eSession('e2e-workbench', [Topics.interactions, Topics.plans], {
  env: { CLOCK_CONTROL: 'true' },
  schemaPrefix: `work_${run}`,
});
const log = () => e2e.platform.url('interaction-log');
const DAY = 86_400_000;
const advance = async (days: number) =>
  expect((await call('POST', `${log()}/clock/advance`, e2e.admin, { ms: days * DAY })).status).toBe(200);
const eventsOf = (type: string, match: (body: Record<string, unknown>) => boolean) =>
  eventsOnce(e2e, type, match);

describe("the account manager's workbench", () => {
  it('keeps a needs register: overdue needs reach the owner, unsolved needs tag the customer', async () => {
    const owner = `am-needs-${run}`;
    const registered = await call('POST', `${e2e.platform.url('customer-profile')}/customers`, e2e.agent, {
      externalRef: `ND-${run}`,
      kind: 'company',
      name: 'Needful Ltd',
      owner,
    });
    expect(registered.status).toBe(201);
    const customerId = registered.body.id as string;
    const description = `On-site training for the new pump line, asked by ${run}`;
    const bad = await call('POST', `${log()}/customers/${customerId}/needs`, e2e.agent, {
      type: 'wish',
      description,
      priority: 'urgent',
      owner,
      dueAt: 'soon',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'dueAt',
      'priority',
      'type',
    ]);

    const recorded = await call('POST', `${log()}/customers/${customerId}/needs`, e2e.agent, {
      type: 'support',
      description,
      priority: 'high',
      owner,
      dueAt: new Date(Date.now() + 2 * DAY).toISOString(),
    });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ type: 'support', description, status: 'open', overdue: false });
    const needId = recorded.body.id as string;

    const tags = async () =>
      ((await call('GET', `${e2e.platform.url('tagging')}/customers/${customerId}`, e2e.agent)).body?.tags ??
        []) as string[];
    await eventually(
      'the need tags the customer',
      async () => (await tags()).includes('need:support'),
      30_000,
    );
    const asAnalyst = (await call('GET', `${log()}/customers/${customerId}/needs`, e2e.analyst)).body;
    expect(asAnalyst[0].description).toMatch(/^On\*{8}[0-9a-f]{2}$/);

    // Two days pass unsolved: overdue, an event, and a task in the owner's queue.
    await advance(3);
    await eventually(
      'the need is overdue',
      async () => eventsOf(NeedOverdue.type, (b) => b.needId === needId).length > 0,
      30_000,
    );
    expect(eventsOf(NeedOverdue.type, (b) => b.needId === needId)).toHaveLength(1);
    expect(eventsOf(NeedOverdue.type, (b) => b.needId === needId)[0]).toMatchObject({
      owner,
      type: 'support',
      status: 'open',
    });
    await eventually(
      "the overdue need is in the owner's queue",
      async () =>
        (
          (await call('GET', `${e2e.platform.url('growth-campaigns')}/owners/${owner}/tasks`, e2e.agent))
            .body as {
            kind: string;
            detail: string;
          }[]
        ).some((t) => t.kind === 'need-overdue' && t.detail.includes(needId)),
      30_000,
    );
    expect((await call('GET', `${log()}/owners/${owner}/needs`, e2e.agent)).body).toMatchObject([
      { id: needId, overdue: true },
    ]);

    // A confirmation needs a solved need; solved and confirmed, the tag goes.
    const early = await call('PATCH', `${log()}/needs/${needId}`, e2e.agent, { customerConfirmed: true });
    expect(early.status).toBe(400);
    expect(early.body.fields[0].field).toBe('customerConfirmed');
    const solved = await call('PATCH', `${log()}/needs/${needId}`, e2e.agent, {
      status: 'solved',
      solution: 'Two training days booked in September',
      customerConfirmed: true,
    });
    expect(solved.status).toBe(200);
    expect(solved.body).toMatchObject({
      status: 'solved',
      solution: 'Two training days booked in September',
    });
    expect(solved.body.customerConfirmedAt).toEqual(expect.any(String));
    await eventually('the tag is gone', async () => !(await tags()).includes('need:support'), 30_000);
    expect(eventsOf(NeedChanged.type, (b) => b.needId === needId)[0]).toMatchObject({
      status: 'solved',
      customerConfirmed: true,
      changed: ['status', 'confirmation'],
      previousStatus: 'open',
    });
    expect(e2e.observer.events.some((e) => /training/i.test(JSON.stringify(e.body)))).toBe(false);

    // At rest the description is sealed with the customer's text key.
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      const row = await db.query<{ d: string; s: string }>(
        `SELECT description_sealed AS d, solution_sealed AS s FROM work_${run}_interaction_log.needs WHERE id = $1`,
        [needId],
      );
      expect(row.rows[0].d).toMatch(/^v2:/);
      expect(`${row.rows[0].d}${row.rows[0].s}`).not.toMatch(/training/i);
    } finally {
      await db.end();
    }
  });

  it('runs improvement plans: delayed after two weeks without progress, escalated past the deadline, summarised weekly', async () => {
    const lead = `lead-${run}`;
    const backwards = await call('POST', `${log()}/plans`, e2e.agent, {
      name: 'x',
      goal: 'x',
      owner: lead,
      startsOn: '2024-12-31',
      endsOn: '2024-07-01',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.fields[0].field).toBe('endsOn');
    const plan = await call('POST', `${log()}/plans`, e2e.agent, {
      name: 'Service recovery',
      goal: 'Raise CSAT of core customers from 4.1 to 4.5',
      owner: lead,
      startsOn: '2024-07-01',
      endsOn: '2027-12-31',
      kpiGoalIds: ['csat-core'],
    });
    expect(plan.status).toBe(201);
    const planId = plan.body.id as string;
    const clockNow = new Date((await call('GET', `${log()}/clock`, e2e.admin)).body.now as string).getTime();
    const addTask = (title: string, owner: string, dueInDays: number) =>
      call('POST', `${log()}/plans/${planId}/tasks`, e2e.agent, {
        title,
        owner,
        department: 'customer-service',
        dueAt: new Date(clockNow + dueInDays * DAY).toISOString(),
      });
    const rota = await addTask('Triage rota for complaints', `${lead}-a`, 20);
    const scripts = await addTask('Rewrite the apology scripts', `${lead}-b`, 30);
    expect([rota.status, scripts.status]).toEqual([201, 201]);
    const note = (taskId: string, progress: number, text: string) =>
      call('POST', `${log()}/plan-tasks/${taskId}/progress`, e2e.agent, { note: text, progress });

    await advance(10);
    expect((await note(rota.body.id, 40, 'rota drafted')).status).toBe(200);
    // Day 15: the scripts have had no progress for 15 days (delayed), the rota for 5 (not).
    await advance(5);
    await eventually(
      'the scripts are delayed',
      async () => eventsOf(PlanTaskDelayed.type, (b) => b.planId === planId).length > 0,
      30_000,
    );
    expect(eventsOf(PlanTaskDelayed.type, (b) => b.planId === planId)).toMatchObject([
      { taskId: scripts.body.id, daysWithoutProgress: 15, owner: `${lead}-b` },
    ]);
    expect((await call('GET', `${log()}/owners/${lead}-b/plan-tasks`, e2e.agent)).body).toMatchObject([
      { id: scripts.body.id, delayed: true },
    ]);

    // Day 21: the rota is past its deadline (department); day 28, a week on, still open (executive).
    await advance(6);
    await eventually(
      'the rota escalates to its department',
      async () => eventsOf(PlanTaskEscalated.type, (b) => b.taskId === rota.body.id).length > 0,
      30_000,
    );
    await advance(7);
    await eventually(
      'the rota escalates to the executive',
      async () => eventsOf(PlanTaskEscalated.type, (b) => b.taskId === rota.body.id).length > 1,
      30_000,
    );
    expect(eventsOf(PlanTaskEscalated.type, (b) => b.taskId === rota.body.id).map((e) => e.level)).toEqual([
      'department',
      'executive',
    ]);
    expect((await note(scripts.body.id, 50, 'first scripts reviewed, "calm" tone agreed')).status).toBe(200);

    // The rota's last note was on day 10: by day 28 it is delayed too; the scripts' new note lifted theirs.
    const summary = await call('GET', `${log()}/plans/${planId}/summary`, e2e.analyst);
    expect(summary.status).toBe(200);
    expect(summary.body.totals).toEqual({
      tasks: 2,
      done: 0,
      open: 2,
      delayed: 1,
      overdue: 1,
      escalated: 1,
      progress: 45,
      notesThisWeek: 1,
    });
    const csv = await fetch(`${log()}/plans/${planId}/summary?format=csv`, {
      headers: { authorization: `Bearer ${e2e.analyst}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^week_from,task_id,title,owner,department,status,progress/);
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.includes(scripts.body.id))).toContain(
      '"first scripts reviewed, ""calm"" tone agreed"',
    );
    const badWeek = await call('GET', `${log()}/plans/${planId}/summary?weekOf=2024-02-30`, e2e.analyst);
    expect(badWeek.status).toBe(400);
    expect(badWeek.body.fields[0].field).toBe('weekOf');
  });
});
