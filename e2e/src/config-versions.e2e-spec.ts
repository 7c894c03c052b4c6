import { randomUUID } from 'node:crypto';
import { Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call } from './http';
import { e2eSession } from './session';

/**
 * One convention for configuration changed at run time: SLA policies and journeys, like scoring rule sets,
 * are versioned (who, why), previewed before a change, and rolled back to an earlier version. Schemas of
 * their own: the file changes policies and journeys.
 */
const run = randomUUID().slice(0, 6);
const e2e = e2eSession('e2e-config-versions', [Topics.feedback], { schemaPrefix: `config_${run}` });
const feedback = () => e2e.platform.url('feedback-sla');
const campaigns = () => e2e.platform.url('growth-campaigns');

describe('versioned configuration', () => {
  it('versions, previews and restores an SLA policy against the open tickets', async () => {
    const id = `cfg-${run}`;
    const policy = (resolutionSeconds: number) => ({
      id,
      position: 0,
      ticketType: 'consultation',
      priority: 'low',
      firstResponseSeconds: 3600,
      resolutionSeconds,
    });
    const first = await call('PUT', `${feedback()}/sla-policies/${id}?reason=first`, e2e.admin, policy(7200));
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(1);
    const opened = await call('POST', `${feedback()}/tickets`, e2e.agent, {
      customerId: randomUUID(),
      type: 'consultation',
      priority: 'low',
    });
    expect(opened.status).toBe(201);
    const ticketId = opened.body.id as string;
    const dueAt = async () =>
      (await call('GET', `${feedback()}/tickets/${ticketId}`, e2e.agent)).body.resolutionDueAt as string;
    const original = await dueAt();

    // The preview re-times the open tickets as the change would, and changes nothing.
    const preview = await call('POST', `${feedback()}/sla-policies/${id}/preview`, e2e.analyst, policy(3600));
    expect(preview.status).toBe(200);
    expect(preview.body.retimed).toBe(1);
    const [sample] = preview.body.sample as {
      ticketId: string;
      resolutionDueAt: { before: string; after: string };
    }[];
    expect(sample.ticketId).toBe(ticketId);
    expect(
      new Date(sample.resolutionDueAt.before).getTime() - new Date(sample.resolutionDueAt.after).getTime(),
    ).toBe(3600_000);
    expect(await dueAt()).toBe(original);
    const invalid = await call('POST', `${feedback()}/sla-policies/${id}/preview`, e2e.analyst, {
      ...policy(3600),
      resolutionSeconds: -5,
    });
    expect(invalid.status).toBe(400);

    // The change itself, then the restore of version 1: a new version, the ticket timed as before.
    const second = await call(
      'PUT',
      `${feedback()}/sla-policies/${id}?reason=faster`,
      e2e.admin,
      policy(3600),
    );
    expect(second.body).toMatchObject({ version: 2, openTicketsRetimed: expect.any(Number) });
    expect(new Date(original).getTime() - new Date(await dueAt()).getTime()).toBe(3600_000);
    const restored = await call('POST', `${feedback()}/sla-policies/${id}/versions/1/restore`, e2e.admin);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ version: 3, resolutionSeconds: 7200 });
    await eventually('the ticket timed by version 1 again', async () => (await dueAt()) === original);
    const versions = await call('GET', `${feedback()}/sla-policies/${id}/versions`, e2e.analyst);
    expect(
      (versions.body as { version: number; reason: string; definition: { resolutionSeconds: number } }[]).map(
        (v) => [v.version, v.reason, v.definition.resolutionSeconds],
      ),
    ).toEqual([
      [3, 'restored version 1', 7200],
      [2, 'faster', 3600],
      [1, 'first', 7200],
    ]);
    expect(
      (await call('POST', `${feedback()}/sla-policies/${id}/versions/9/restore`, e2e.admin)).status,
    ).toBe(404);
    const badVersion = await call(
      'POST',
      `${feedback()}/sla-policies/${id}/versions/first/restore`,
      e2e.admin,
    );
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.fields[0].field).toBe('version');
  });

  it('versions, previews and restores a business calendar', async () => {
    const id = `cfg-cal-${run}`;
    const hours = { 1: [['09:00', '18:00']], 2: [['09:00', '18:00']], 3: [['09:00', '18:00']] };
    const put = (body: Record<string, unknown>, reason: string) =>
      call('PUT', `${feedback()}/calendars/${id}?reason=${reason}`, e2e.admin, {
        timeZone: 'Asia/Shanghai',
        ...body,
      });
    expect((await put({ openingHours: hours }, 'opened')).body.version).toBe(1);
    const preview = await call('POST', `${feedback()}/calendars/${id}/preview`, e2e.analyst, {
      timeZone: 'Asia/Shanghai',
      openingHours: hours,
      holidays: ['2027-01-01'],
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ retimed: 0, policyMoves: {} });
    const wrong = await call('POST', `${feedback()}/calendars/${id}/preview`, e2e.analyst, {
      timeZone: 'Mars/Olympus',
      openingHours: hours,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.fields[0].field).toBe('timeZone');
    expect((await put({ openingHours: hours, holidays: ['2027-01-01'] }, 'new-year')).body.version).toBe(2);
    const restored = await call('POST', `${feedback()}/calendars/${id}/versions/1/restore`, e2e.admin);
    expect(restored.body).toMatchObject({ version: 3, holidays: [] });
    expect((await call('GET', `${feedback()}/calendars/${id}`, e2e.agent)).body.holidays).toEqual([]);
    const versions = await call('GET', `${feedback()}/calendars/${id}/versions`, e2e.analyst);
    expect(
      (versions.body as { version: number; reason: string }[]).map((v) => `${v.version}:${v.reason}`),
    ).toEqual(['3:restored version 1', '2:new-year', '1:opened']);
  });

  it('rolls a journey back to an earlier version, audited', async () => {
    const id = `cfg-journey-${run}`;
    const definition = (detail: string) => ({
      name: `Call after a first purchase (${detail})`,
      entry: { trigger: 'first-purchase' },
      start: 'call',
      steps: { call: { type: 'action', action: { kind: 'task', detail } } },
    });
    expect(
      (await call('PUT', `${campaigns()}/journeys/${id}`, e2e.admin, definition('v1'))).body.version,
    ).toBe(1);
    expect(
      (await call('PUT', `${campaigns()}/journeys/${id}`, e2e.admin, definition('v2'))).body.version,
    ).toBe(2);
    const back = await call('POST', `${campaigns()}/journeys/${id}/versions/1/activate`, e2e.admin);
    expect(back.status).toBe(200);
    expect(back.body.version).toBe(1);
    expect((await call('GET', `${campaigns()}/journeys/${id}`, e2e.agent)).body.version).toBe(1);
    const versions = await call('GET', `${campaigns()}/journeys/${id}/versions`, e2e.agent);
    expect(
      (versions.body as { version: number; current: boolean }[]).map((v) => [v.version, v.current]),
    ).toEqual([
      [2, false],
      [1, true],
    ]);
    const history = await call('GET', `${campaigns()}/journeys/${id}/history`, e2e.analyst);
    expect(
      (history.body as { version: number; action: string }[]).map((h) => `${h.action}:${h.version}`),
    ).toEqual(['activated:1', 'created:2', 'created:1']);
    expect((await call('POST', `${campaigns()}/journeys/${id}/versions/7/activate`, e2e.admin)).status).toBe(
      404,
    );
  });
});
