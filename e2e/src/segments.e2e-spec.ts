import { randomUUID } from 'node:crypto';
import { SegmentChanged, Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call, daysAgo } from './http';
import { e2eSession } from './session';

/** A customer enters a dynamic segment through a purchase and leaves it through the sweep; "why" tells both. */
// The sweep test looks 100 days ahead: a what-if sweep, off by default.
const e2e = e2eSession('e2e-segments', [Topics.scoring], { env: { TAGGING_ALLOW_FUTURE_SWEEPS: 'true' } });
const tagging = () => e2e.platform.url('tagging');
const run = randomUUID().slice(0, 6);

/** A segment's evaluation runs in the background: waits for its run to end and answers it. */
async function evaluated(evaluation: { id: string; status: string }): Promise<Record<string, unknown>> {
  let run: Record<string, unknown> = evaluation;
  await eventually(
    `evaluation ${evaluation.id}`,
    async () => {
      run = (await call('GET', `${tagging()}/sweeps/${evaluation.id}`, e2e.admin)).body as Record<
        string,
        unknown
      >;
      return run.status !== 'running';
    },
    15_000,
  );
  return run;
}

const changesOf = (segment: string, customerId: string) =>
  e2e.observer.events.filter(
    (e) => e.type === SegmentChanged.type && e.body.segment === segment && e.body.customerId === customerId,
  );

describe('segments with provenance', () => {
  const segment = `recent-buyers-${run}`;
  let customerId: string;
  let purchaseEventId: string;

  it('answers a definition error with 400 naming the position, and previews a good one', async () => {
    const bad = await call('POST', `${tagging()}/segments/preview`, e2e.admin, {
      expression: 'purchases(90d) >= 1 and spend_12m >',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'SEGMENT_EXPRESSION_INVALID', position: 36 });
    expect(bad.body.fields[0]).toEqual({
      field: 'expression',
      messages: ['at position 36: expected a number, found the end'],
    });
    const good = await call('POST', `${tagging()}/segments/preview`, e2e.admin, {
      expression: 'purchases(90d) >= 1 and spend_12m >= 1000',
    });
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({
      count: expect.any(Number),
      conditions: ['purchases(90d) >= 1', 'spend_12m >= 1000'],
    });
    expect(good.body.sample.length).toBe(Math.min(10, good.body.count));
  });

  it('enters through a purchase, and "why" names the conditions, the facts and the purchase event', async () => {
    const defined = await call('PUT', `${tagging()}/segments/${segment}`, e2e.admin, {
      kind: 'dynamic',
      expression: 'purchases(90d) >= 1 and spend_12m >= 1000',
      description: 'bought at least once in 90 days, 1,000 or more a year',
    });
    expect(defined.status).toBe(200);
    expect(defined.body.evaluation).toMatchObject({ status: expect.stringMatching(/running|finished/) });
    expect(await evaluated(defined.body.evaluation)).toMatchObject({
      status: 'finished',
      trigger: 'segment-defined',
    });

    const registered = await call('POST', `${e2e.platform.url('customer-profile')}/customers`, e2e.agent, {
      externalRef: `SEG-${run}`,
      kind: 'company',
      name: 'Segment Co.',
      relationshipStartedAt: daysAgo(800),
    });
    customerId = registered.body.id;
    await eventually(
      'tagging knows the customer',
      async () => (await call('GET', `${tagging()}/customers/${customerId}`, e2e.agent)).status === 200,
      10_000,
    );
    const purchase = await call(
      'POST',
      `${e2e.platform.url('customer-profile')}/customers/${customerId}/purchases`,
      e2e.agent,
      {
        orderId: `SEG-${run}-1`,
        amount: 1200,
        currency: 'EUR',
        occurredAt: daysAgo(1),
        items: [{ sku: 'V-1', category: 'valves', quantity: 2, unitPrice: 600 }],
      },
    );
    expect(purchase.status).toBe(201);
    purchaseEventId = purchase.body.eventId;
    await eventually('the entry', async () => changesOf(segment, customerId).length === 1, 10_000);
    expect(changesOf(segment, customerId)[0].body).toMatchObject({
      change: 'entered',
      segmentSet: 'custom',
      causedByEventId: purchaseEventId,
    });

    const why = (await call('GET', `${tagging()}/segments/${segment}/why/${customerId}`, e2e.agent)).body;
    expect(why).toMatchObject({
      member: true,
      matchesNow: true,
      lastChange: { change: 'entered', causedByEventId: purchaseEventId, sweepRunId: null },
      conditions: [
        { condition: 'purchases(90d) >= 1', matched: true, fact: 1 },
        { condition: 'spend_12m >= 1000', matched: true, fact: 1200 },
      ],
    });
    const mine = (await call('GET', `${tagging()}/customers/${customerId}/segments`, e2e.agent)).body;
    expect(mine).toEqual([expect.objectContaining({ segment, causedByEventId: purchaseEventId })]);
  });

  it('leaves through the sweep once the purchase falls out of the window, once, and "why" names the sweep run', async () => {
    const asOf = new Date(Date.now() + 100 * 86_400_000).toISOString();
    const sweep = await call('POST', `${tagging()}/sweeps`, e2e.admin, { asOf });
    expect(sweep.status).toBe(200);
    expect(sweep.body).toMatchObject({ status: 'finished', trigger: 'on-demand', asOf });
    expect(sweep.body.segmentExits).toBeGreaterThanOrEqual(1);
    await eventually('the exit', async () => changesOf(segment, customerId).length === 2, 10_000);
    expect(changesOf(segment, customerId)[1].body).toMatchObject({
      change: 'exited',
      sweepRunId: sweep.body.id,
    });

    const why = (
      await call('GET', `${tagging()}/segments/${segment}/why/${customerId}?asOf=${asOf}`, e2e.agent)
    ).body;
    expect(why).toMatchObject({
      member: false,
      matchesNow: false,
      lastChange: { change: 'exited', sweepRunId: sweep.body.id, causedByEventId: null },
      conditions: [
        { condition: 'purchases(90d) >= 1', matched: false, fact: 0 },
        { condition: 'spend_12m >= 1000', matched: true, fact: 1200 },
      ],
    });

    const again = await call('POST', `${tagging()}/sweeps`, e2e.admin, { asOf });
    expect(again.body).toMatchObject({ status: 'finished', changed: 0, segmentEntries: 0, segmentExits: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(changesOf(segment, customerId)).toHaveLength(2);
  });

  it('keeps a static segment as the uploaded list', async () => {
    const list = `key-accounts-${run}`;
    const uploaded = await call('PUT', `${tagging()}/segments/${list}/members`, e2e.admin, {
      customerIds: [customerId],
    });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toMatchObject({ kind: 'static' });
    expect(await evaluated(uploaded.body.evaluation)).toMatchObject({
      status: 'finished',
      segmentEntries: 1,
    });
    const why = (await call('GET', `${tagging()}/segments/${list}/why/${customerId}`, e2e.agent)).body;
    expect(why).toMatchObject({
      member: true,
      conditions: [{ condition: 'on the uploaded list', matched: true }],
    });
    const emptied = await call('PUT', `${tagging()}/segments/${list}/members`, e2e.admin, {
      customerIds: [],
    });
    expect(await evaluated(emptied.body.evaluation)).toMatchObject({ segmentExits: 1 });
    const invalid = await call('PUT', `${tagging()}/segments/${list}/members`, e2e.admin, {
      customerIds: ['nope'],
    });
    expect(invalid.status).toBe(400);
  });
});

describe('negative preferences', () => {
  async function loyalLowValueCustomer(ref: string, complaintCategory?: string): Promise<string> {
    const registered = await call('POST', `${e2e.platform.url('customer-profile')}/customers`, e2e.agent, {
      externalRef: ref,
      kind: 'person',
      name: `Customer ${ref}`,
      email: `${ref.toLowerCase()}@example.test`,
      relationshipStartedAt: daysAgo(400),
      consents: [{ channel: 'email', purpose: 'marketing', granted: true }],
    });
    const id = registered.body.id as string;
    await eventually(
      'tagging knows the customer',
      async () => (await call('GET', `${tagging()}/customers/${id}`, e2e.agent)).status === 200,
      10_000,
    );
    if (complaintCategory) {
      const complaint = await call('POST', `${e2e.platform.url('feedback-sla')}/tickets`, e2e.agent, {
        customerId: id,
        type: 'complaint',
        owner: 'agent-7',
        category: complaintCategory,
      });
      expect(complaint.status).toBe(201);
      await eventually(
        'the exclusion in tagging',
        async () =>
          (
            await call('GET', `${tagging()}/customers/${id}/exclusions`, e2e.agent)
          ).body.excludedCategories?.includes(complaintCategory),
        10_000,
      );
    }
    for (let i = 1; i <= 4; i++) {
      const bought = await call(
        'POST',
        `${e2e.platform.url('customer-profile')}/customers/${id}/purchases`,
        e2e.agent,
        {
          orderId: `${ref}-${i}`,
          amount: 100,
          currency: 'EUR',
          // Three past orders and one today: entering the segment (at the fourth) is news, not history.
          occurredAt: daysAgo(40 - i * 10),
          items: [{ sku: 'S-1', category: 'seals', quantity: 1, unitPrice: 100 }],
        },
      );
      expect(bought.status).toBe(201);
    }
    return id;
  }

  const crossSell = async (customerId: string) =>
    (
      (
        await call(
          'GET',
          `${e2e.platform.url('growth-campaigns')}/customers/${customerId}/care-actions`,
          e2e.agent,
        )
      ).body as {
        playbook: string;
        status: string;
        reason: string | null;
      }[]
    ).find((a) => a.playbook === 'cross-sell-general');

  it('excludes a category a customer complained about, and campaigns never offer it', async () => {
    const control = await loyalLowValueCustomer(`NP-C-${run}`.toUpperCase());
    const complainer = await loyalLowValueCustomer(`NP-X-${run}`.toUpperCase(), 'service');
    await eventually(
      'both cross-sell decisions',
      async () => Boolean((await crossSell(control)) && (await crossSell(complainer))),
      15_000,
    );
    expect(await crossSell(control)).toMatchObject({
      status: expect.stringMatching(/triggered|delivered/),
      reason: null,
    });
    expect(await crossSell(complainer)).toMatchObject({ status: 'suppressed', reason: 'excluded-category' });
    const scores = (await call('GET', `${tagging()}/customers/${complainer}`, e2e.agent)).body;
    expect(scores).toMatchObject({ valueLoyaltySegment: 'general', excludedCategories: ['service'] });
    expect(scores.prediction).toMatchObject({ model: 'own-interval', expectedIntervalDays: 10 });

    const lifted = await call('PUT', `${tagging()}/customers/${complainer}/exclusions`, e2e.agent, {
      categories: [],
    });
    expect(lifted.body.excludedCategories).toEqual([]);
    const bad = await call('PUT', `${tagging()}/customers/${complainer}/exclusions`, e2e.agent, {
      categories: ['<script>'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('categories');
  });

  it('previews, saves, reads and deletes a segment on a text field, with no windowed operand', async () => {
    const expression = "value_tier = 'high-value' or industry = 'manufacturing' or has_tag('active')";
    const preview = await call('POST', `${tagging()}/segments/preview`, e2e.admin, { expression });
    expect(preview.status).toBe(201);
    expect(preview.body.count).toEqual(expect.any(Number));

    const id = `text-only-${run}`;
    const defined = await call('PUT', `${tagging()}/segments/${id}`, e2e.admin, {
      kind: 'dynamic',
      expression,
    });
    expect(defined.status).toBe(200);
    expect(defined.body).toMatchObject({ status: 'active', suspendedReason: null });
    expect(await evaluated(defined.body.evaluation)).toMatchObject({ status: 'finished' });
    const members = (await call('GET', `${tagging()}/segments/${id}/members`, e2e.admin)).body as {
      total: number;
      members: { customerId: string }[];
    };
    expect((await call('GET', `${tagging()}/segments/${id}`, e2e.agent)).body).toMatchObject({
      id,
      status: 'active',
    });

    const removed = await call('DELETE', `${tagging()}/segments/${id}`, e2e.admin);
    expect(removed.body).toEqual({ id, exited: members.total });
    expect((await call('GET', `${tagging()}/segments/${id}`, e2e.agent)).status).toBe(404);
    expect((await call('DELETE', `${tagging()}/segments/${id}`, e2e.admin)).status).toBe(404);
    if (members.total > 0)
      await eventually(
        'an exit for every member',
        async () =>
          members.members.every((m) => changesOf(id, m.customerId).some((e) => e.body.change === 'exited')),
        10_000,
      );
  });
});
