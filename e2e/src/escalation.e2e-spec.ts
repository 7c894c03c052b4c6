import { randomUUID } from 'node:crypto';
import { StaffNotificationRequested, TicketChanged, Topics } from '@crm/contracts';
import { eventually, startSmtpCapture, type SmtpCapture } from '@crm/testing';
import { call } from './http';
import { eventsOnce } from './helpers';
import { e2eSession } from './session';

/**
 * Escalation reaches people: a ticket's warning goes to its owner, its breach to the lead of the owner's
 * team, its executive escalation to the executive on call (the rotation of the team it escalates to), each
 * as an e-mail through growth-campaigns' channel to the address feedback-sla keeps sealed. Schemas of their
 * own: the file adds teams, staff and a short SLA policy.
 */
const run = randomUUID().slice(0, 6);
const env: Record<string, string> = { SLA_TIMER_POLL_MS: '100' };
let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  env.SMTP_URL = smtp.url;
});
afterAll(() => smtp?.stop());
const e2e = e2eSession('e2e-escalation', [Topics.feedback], { env, schemaPrefix: `escalation_${run}` });
const feedback = () => e2e.platform.url('feedback-sla');
const campaigns = () => e2e.platform.url('growth-campaigns');

const owner = `agent-${run}`;
const lead = `lead-${run}`;
const executives = [`exec-a-${run}`, `exec-b-${run}`];
const mailOf = (staffId: string) => `${staffId}@example.test`;

describe('escalation to people', () => {
  it('sends the warning to the owner, the breach to the team lead and the last step to the executive on call', async () => {
    for (const staffId of [owner, lead, ...executives]) {
      const saved = await call('PUT', `${feedback()}/staff/${staffId}`, e2e.admin, {
        email: mailOf(staffId),
      });
      expect(saved.status).toBe(200);
      expect(saved.body.email).not.toBe(mailOf(staffId)); // masked
    }
    const today = new Date().toISOString().slice(0, 10);
    const execTeam = await call('PUT', `${feedback()}/teams/execs-${run}`, e2e.admin, {
      name: 'Executives',
      lead: executives[0],
      members: [],
      onCall: executives,
      rotationStart: today,
    });
    expect(execTeam.status).toBe(200);
    const careTeam = await call('PUT', `${feedback()}/teams/care-${run}`, e2e.admin, {
      name: 'Care north',
      lead,
      members: [owner],
      onCall: [],
      rotationStart: today,
      escalatesTo: `execs-${run}`,
    });
    expect(careTeam.status).toBe(200);
    const badTeam = await call('PUT', `${feedback()}/teams/bad-${run}`, e2e.admin, {
      name: 'Bad',
      lead,
      members: ['not a staff id'],
      onCall: [],
      rotationStart: today,
      escalatesTo: `nobody-${run}`,
    });
    expect(badTeam.status).toBe(400);
    expect(badTeam.body.fields.map((f: { field: string }) => f.field)).toContain('members');
    // Round the clock (no calendar): the rotation starts today with its first person.
    const onCall = await call('GET', `${feedback()}/teams/execs-${run}/on-call`, e2e.agent);
    expect(onCall.body).toMatchObject({ teamId: `execs-${run}`, staffId: executives[0] });

    const policy = await call('PUT', `${feedback()}/sla-policies/esc-${run}`, e2e.admin, {
      id: `esc-${run}`,
      position: 0,
      ticketType: 'suggestion',
      firstResponseSeconds: 2,
      resolutionSeconds: 4,
    });
    expect(policy.status).toBe(200);
    const opened = await call('POST', `${feedback()}/tickets`, e2e.agent, {
      customerId: randomUUID(),
      type: 'suggestion',
      owner,
      subject: 'the pump hums',
    });
    expect(opened.status).toBe(201);
    const ticketId = opened.body.id as string;

    // The team's queue holds the ticket, the most urgent first.
    const queue = await call('GET', `${feedback()}/queue?team=care-${run}`, e2e.agent);
    expect(queue.body.map((t: { ticketId: string }) => t.ticketId)).toEqual([ticketId]);
    expect((await call('GET', `${feedback()}/queue?team=execs-${run}`, e2e.agent)).body).toEqual([]);

    const received = (staffId: string, subject: RegExp) =>
      smtp.to(mailOf(staffId)).filter((m) => subject.test(m.subject) && m.text.includes(ticketId));
    await eventually(
      'the owner warned, the lead and the executive on call reached by e-mail',
      async () =>
        received(owner, /deadline near/).length > 0 &&
        received(lead, /escalated to you/).length > 0 &&
        received(executives[0], /escalated to you/).length > 0,
      30_000,
    );
    expect(received(lead, /escalated to you/)[0].text).toContain('as the lead of its team');
    expect(received(executives[0], /escalated to you/)[0].text).toContain('as the executive on call');
    expect(smtp.to(mailOf(executives[1]))).toHaveLength(0);
    // A service message about a ticket: ids and deadlines, never the ticket's text.
    for (const mail of received(owner, /deadline near/)) expect(mail.text).not.toContain('the pump hums');

    const steps = eventsOnce<{ staffId: string; role: string; step: string }>(
      e2e,
      StaffNotificationRequested.type,
      (b) => b.ticketId === ticketId,
    );
    expect(new Set(steps.map((s) => `${s.step}:${s.role}:${s.staffId}`))).toEqual(
      new Set([
        `warning:owner:${owner}`,
        `breach:team-lead:${lead}`,
        `executive:executive-on-call:${executives[0]}`,
      ]),
    );
    // The channel records a notification as delivered once the mail server has taken it, so the mail
    // can reach the capture a moment before its record says so.
    const notifications = () =>
      call('GET', `${campaigns()}/staff-notifications?ticketId=${ticketId}`, e2e.agent);
    await eventually(
      'every notification recorded as delivered',
      async () => {
        const r = await notifications();
        return (
          r.status === 200 &&
          r.body.length === steps.length &&
          r.body.every((n: { status: string }) => n.status === 'delivered')
        );
      },
      15_000,
    );
    const sent = await notifications();
    expect(sent.status).toBe(200);
    expect(sent.body.length).toBe(steps.length);
    for (const n of sent.body) expect(n).toMatchObject({ status: 'delivered', channel: 'email' });

    // The SLA report per team: the owner's team carries the ticket and its breached first response.
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const byTeam = await call(
      'GET',
      `${feedback()}/reports/sla?from=${from}&to=${to}&groupBy=team`,
      e2e.analyst,
    );
    expect(byTeam.status).toBe(200);
    expect(byTeam.body.rows.find((r: { team: string }) => r.team === `care-${run}`)).toMatchObject({
      tickets: 1,
      firstResponse: { met: 0, breached: 1 },
    });

    // Resolved, then reopened: a new resolution round with the full target from the reopening.
    const notResolved = await call('POST', `${feedback()}/tickets/${ticketId}/reopen`, e2e.agent);
    expect(notResolved.status).toBe(409);
    expect(notResolved.body).toMatchObject({ code: 'TICKET_NOT_RESOLVED', field: 'status' });
    expect((await call('POST', `${feedback()}/tickets/${ticketId}/resolve`, e2e.agent)).status).toBe(200);
    const reopenedAt = Date.now();
    const reopened = await call('POST', `${feedback()}/tickets/${ticketId}/reopen`, e2e.agent);
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      status: 'responded',
      reopened: 1,
      resolvedAt: null,
      breaches: { resolution: null },
    });
    const due = new Date(reopened.body.resolutionDueAt as string).getTime();
    expect(due).toBeGreaterThanOrEqual(reopenedAt + 3_000);
    expect(due).toBeLessThan(reopenedAt + 6_000);
    await eventually(
      'the reopened round breaches on its own clock',
      async () =>
        (await call('GET', `${feedback()}/tickets/${ticketId}`, e2e.agent)).body.breaches.resolution !== null,
      15_000,
    );
    await eventually(
      'the reopening announced',
      async () =>
        eventsOnce(e2e, TicketChanged.type, (b) => b.ticketId === ticketId && b.change === 'reopened')
          .length === 1,
    );
  });

  it('assigns a ticket by skills: the pool member who has them, not merely the least loaded', async () => {
    const novice = `novice-${run}`;
    const expert = `expert-${run}`;
    expect(
      (await call('PUT', `${feedback()}/staff/${novice}`, e2e.admin, { skills: ['pumps'] })).status,
    ).toBe(200);
    const saved = await call('PUT', `${feedback()}/staff/${expert}`, e2e.admin, {
      skills: ['valves', 'pumps'],
    });
    expect(saved.body.skills).toEqual(['valves', 'pumps']);
    const rule = await call('PUT', `${feedback()}/assignment-rules/valves-${run}`, e2e.admin, {
      position: 0,
      match: { type: 'consultation', category: 'valves' },
      owners: [novice, expert],
      skills: ['valves'],
    });
    expect(rule.status).toBe(200);
    expect(rule.body).toMatchObject({
      match: { type: 'consultation', category: 'valves' },
      skills: ['valves'],
    });
    const open = async (category: string) =>
      (
        await call('POST', `${feedback()}/tickets`, e2e.agent, {
          customerId: randomUUID(),
          type: 'consultation',
          category,
        })
      ).body as { owner: string | null };
    // The novice has nothing open and comes first in the pool, but lacks the skill.
    expect((await open('valves')).owner).toBe(expert);
    expect((await open('valves')).owner).toBe(expert);
    // Another category: the rule does not match; nobody is assigned.
    expect((await open('pumps')).owner).toBeNull();
    const badSkills = await call('PUT', `${feedback()}/assignment-rules/bad-${run}`, e2e.admin, {
      position: 1,
      match: {},
      owners: [expert],
      skills: ['<script>'],
    });
    expect(badSkills.status).toBe(400);
    expect(badSkills.body.fields[0].field).toBe('skills');
  });
});
