import { BadRequestException, HttpException } from '@nestjs/common';
import fc from 'fast-check';
import { ConsoleService, parseSearch, tierWhy } from './console.service';
import { liveEventOf } from './live-events';
import { Upstream, UpstreamError } from './upstream';

const CUSTOMER = '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01';

/** A stand-in for the services: answers by path, or throws the status a path is mapped to. */
function fakeUpstream(answers: Record<string, unknown>, failures: Record<string, number> = {}): Upstream {
  const answer = async (service: string, _token: string, method: string, path: string) => {
    const key = `${service} ${method} ${path}`;
    if (key in failures) throw new UpstreamError(service, failures[key]!, { message: 'no' });
    if (key in answers) return answers[key];
    throw new UpstreamError(service, 404, { message: `nothing at ${key}` });
  };
  return {
    call: answer,
    relay: async (...args: [string, string, string, string]) => {
      try {
        return await answer(...args);
      } catch (error) {
        const e = error as UpstreamError;
        throw new HttpException(e.body as object, e.status);
      }
    },
  } as unknown as Upstream;
}

describe('parseSearch', () => {
  it('reads references, owners, tiers, segments and expressions', () => {
    expect(parseSearch(' C2024001 ')).toEqual({ by: 'externalRef', value: 'C2024001' });
    expect(parseSearch('owner: am-1')).toEqual({ by: 'owner', value: 'am-1' });
    expect(parseSearch('name: Wang Lei')).toEqual({ by: 'name', value: 'Wang Lei' });
    expect(parseSearch('tier:high-value')).toEqual({ by: 'tier', value: 'high-value' });
    expect(parseSearch('segment:vip-2024')).toEqual({ by: 'segment', value: 'vip-2024' });
    expect(parseSearch("where:industry = 'x'")).toEqual({ by: 'expression', value: "industry = 'x'" });
  });

  it('answers a 400 naming q for a bad tier, owner or segment', () => {
    for (const bad of ['tier:gold', 'owner:a b', 'segment:Not_A_Slug', '', ' '.repeat(3), 'x'.repeat(501)]) {
      try {
        parseSearch(bad);
        throw new Error(`accepted ${JSON.stringify(bad)}`);
      } catch (error) {
        expect(error).toBeInstanceOf(BadRequestException);
        expect((error as BadRequestException).getResponse()).toMatchObject({ fields: [{ field: 'q' }] });
      }
    }
  });

  it('on any text, either answers a known kind with a non-empty value or a 400 naming q', () => {
    fc.assert(
      fc.property(
        fc
          .oneof(
            fc.string({ maxLength: 600 }),
            fc.constantFrom('owner:', 'tier:', 'segment:', 'where:', 'name:'),
          )
          .chain((s) => fc.constant(s)),
        (text) => {
          try {
            const parsed = parseSearch(text);
            expect(['externalRef', 'name', 'owner', 'tier', 'segment', 'expression']).toContain(parsed.by);
            expect(parsed.value.length).toBeGreaterThan(0);
          } catch (error) {
            expect(error).toBeInstanceOf(BadRequestException);
            expect((error as BadRequestException).getResponse()).toMatchObject({ fields: [{ field: 'q' }] });
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('liveEventOf', () => {
  it('reads the customer from the subject header and parses only ticket and SLA payloads', () => {
    const rescored = liveEventOf({
      headers: { ce_type: Buffer.from('crm.customer.rescored.v1'), ce_subject: Buffer.from(CUSTOMER) },
      value: Buffer.from('not even JSON'),
      timestamp: '1764500000000',
    });
    expect(rescored).toMatchObject({
      type: 'crm.customer.rescored.v1',
      customerId: CUSTOMER,
      ticketId: null,
    });
    const broken = liveEventOf({
      headers: { ce_type: Buffer.from('crm.ticket.changed.v1'), ce_subject: Buffer.from(CUSTOMER) },
      value: Buffer.from('{'),
      timestamp: '1764500000000',
    });
    expect(broken).toBeNull();
  });

  it('keeps the type and the ids, never the payload', () => {
    const event = liveEventOf({
      headers: { ce_type: Buffer.from('crm.sla.warning.v1'), ce_subject: Buffer.from(CUSTOMER) },
      value: Buffer.from(
        JSON.stringify({ customerId: CUSTOMER, ticketId: CUSTOMER, email: 'x@example.com' }),
      ),
      timestamp: '1764500000000',
    });
    expect(event).toEqual({
      type: 'crm.sla.warning.v1',
      customerId: CUSTOMER,
      ticketId: CUSTOMER,
      occurredAt: new Date(1764500000000).toISOString(),
    });
  });

  it('on any record answers null or an event whose ids are UUIDs and whose keys are the four', () => {
    fc.assert(
      fc.property(
        fc.option(
          fc.oneof(fc.string(), fc.constantFrom('crm.ticket.changed.v1', 'crm.sla.breached.v1', 'crm.x.v1')),
        ),
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string(),
          fc.constant(`{"customerId":"${CUSTOMER}"}`),
        ),
        fc.oneof(fc.string(), fc.integer().map(String)),
        (type, value, timestamp) => {
          const event = liveEventOf({
            headers:
              type === null ? { ce_subject: CUSTOMER } : { ce_type: Buffer.from(type), ce_subject: CUSTOMER },
            value: Buffer.from(value),
            timestamp,
          });
          if (event === null) return;
          expect(Object.keys(event).sort()).toEqual(['customerId', 'occurredAt', 'ticketId', 'type']);
          for (const id of [event.customerId, event.ticketId])
            if (id !== null) expect(id).toMatch(/^[0-9a-f-]{36}$/i);
          expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('tierWhy', () => {
  it('states the tier, the rules version and the facts it was decided on', () => {
    const why = tierWhy({
      valueTier: 'high-value',
      rulesVersion: 'handbook-2024.2',
      facts: { spend12m: 120000, purchases12m: 2, lastPurchaseAt: '2026-11-29T00:00:00.000Z' },
      rfm: { recency: 5, frequency: 2, monetary: 5 },
      causedByEventId: 'e-1',
    });
    expect(why).toEqual([
      'value tier high-value under rules handbook-2024.2',
      'spend in the last 12 months: 120,000',
      'purchases in the last 12 months: 2',
      'last purchase: 2026-11-29T00:00:00.000Z',
      'RFM 5-2-5',
      'last re-scored by event e-1',
    ]);
  });
});

describe('ConsoleService.customer360', () => {
  const profile = { id: CUSTOMER, externalRef: 'C2024001', name: 'Wa****ps', consents: [], aggregates: {} };

  it('shows every part it could read and names the ones it could not, with the reason', async () => {
    const service = new ConsoleService(
      fakeUpstream(
        {
          [`customer-profile GET /customers/${CUSTOMER}`]: profile,
          [`tagging GET /customers/${CUSTOMER}/stage-history`]: [],
          [`growth-campaigns GET /customers/${CUSTOMER}/care-actions`]: [
            {
              id: 'a1',
              playbook: 'tier-welcome',
              action: 'welcome',
              channel: 'email',
              status: 'delivered',
              createdAt: '2026-11-30T00:00:00Z',
            },
          ],
        },
        {
          [`feedback-sla GET /customers/${CUSTOMER}/tickets`]: 403,
          [`referral GET /customers/${CUSTOMER}/points`]: 503,
        },
      ),
    );
    const view = await service.customer360('token', CUSTOMER);
    expect(view.profile).toEqual(profile);
    expect(view.careActions).toEqual([
      {
        id: 'a1',
        at: '2026-11-30T00:00:00Z',
        title: 'tier-welcome · welcome',
        detail: 'email',
        status: 'delivered',
      },
    ]);
    expect(view.unavailable).toEqual(
      expect.arrayContaining([
        { part: 'tickets', status: 403, reason: 'not available to your role' },
        { part: 'points', status: 503, reason: 'referral answered 503' },
        { part: 'scores', status: 404, reason: 'nothing recorded yet' },
      ]),
    );
    expect(view.tickets).toEqual([]);
    expect(view.scores).toBeNull();
  });

  it('answers the profile service’s 404 when there is no such customer, and 400 for a non-UUID', async () => {
    const service = new ConsoleService(fakeUpstream({}));
    await expect(service.customer360('token', CUSTOMER)).rejects.toMatchObject({ status: 404 });
    await expect(service.customer360('token', 'C2024001')).rejects.toBeInstanceOf(BadRequestException);
  });
});

describe('ConsoleService.queue', () => {
  it('puts overdue work first, then the earliest due, across tasks, needs and plan tasks', async () => {
    const service = new ConsoleService(
      fakeUpstream({
        'growth-campaigns GET /owners/am-1/tasks': [
          {
            id: 't1',
            customerId: CUSTOMER,
            kind: 'cadence',
            detail: 'call',
            dueAt: '2030-01-02T00:00:00Z',
            overdue: false,
          },
          {
            id: 't2',
            customerId: CUSTOMER,
            kind: 'cadence',
            detail: 'visit',
            dueAt: '2020-01-01T00:00:00Z',
            overdue: true,
          },
        ],
        'interaction-log GET /owners/am-1/needs': [
          {
            id: 'n1',
            customerId: CUSTOMER,
            type: 'support',
            priority: 'high',
            dueAt: '2030-01-01T00:00:00Z',
            overdue: false,
          },
        ],
        'interaction-log GET /owners/am-1/plan-tasks': [
          { id: 'p1', title: 'cut response time', dueAt: '2021-01-01T00:00:00Z' },
        ],
      }),
    );
    const { items, unavailable } = await service.queue('token', 'am-1');
    expect(unavailable).toEqual([]);
    expect(items.map((i) => [i.id, i.overdue])).toEqual([
      ['t2', true],
      ['p1', true],
      ['n1', false],
      ['t1', false],
    ]);
    await expect(service.queue('token', 'a b')).rejects.toBeInstanceOf(BadRequestException);
  });
});
