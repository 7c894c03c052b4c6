import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  eventTypesOf,
  validateJourney,
  type JourneyDefinition,
  type JourneyStep,
} from './journey-definition';
import { advance, assignVariant, initialState, simulate } from './journey-engine';

const DAY = 86_400_000;
const t0 = new Date('2026-01-05T09:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

/** The handbook's win-back: wait 3 days, an e-mail (two variants), then a purchase within 7 days, or a call. */
export const winBack: JourneyDefinition = {
  name: 'Win-back: churn warning',
  entry: { event: 'crm.segment.changed.v1', match: { segment: 'churn-warning', change: 'entered' } },
  holdoutPercent: 10,
  variants: [
    { id: 'A', weight: 50 },
    { id: 'B', weight: 50 },
  ],
  goal: { event: 'crm.purchase.recorded.v1', withinDays: 14 },
  exitOn: ['crm.customer.erased.v1'],
  start: 'wait-3d',
  steps: {
    'wait-3d': { type: 'wait', duration: '3d', next: 'email' },
    email: {
      type: 'action',
      action: {
        kind: 'touch',
        channel: 'email',
        purpose: 'marketing',
        template: { A: 'winback-a', B: 'winback-b' },
      },
      next: 'await-purchase',
    },
    'await-purchase': {
      type: 'waitForEvent',
      event: 'crm.purchase.recorded.v1',
      timeout: '7d',
      next: 'thanks',
      onTimeout: 'is-core',
    },
    'is-core': { type: 'branch', attribute: 'valueLoyaltySegment', in: ['core'], then: 'call', else: 'done' },
    call: {
      type: 'action',
      action: { kind: 'touch', channel: 'phone', purpose: 'service', template: 'winback-call' },
    },
    thanks: {
      type: 'action',
      action: { kind: 'touch', channel: 'email', purpose: 'service', template: 'thanks' },
    },
    done: { type: 'exit' },
  },
};

const entered = { type: 'crm.segment.changed.v1', data: { segment: 'churn-warning', change: 'entered' } };

describe('journey definitions', () => {
  it('accept the win-back journey', () => {
    expect(validateJourney(winBack)).toEqual([]);
  });

  it('name the step of every problem', () => {
    const broken = structuredClone(winBack) as unknown as { steps: Record<string, any>; entry: any };
    broken.entry.event = 'crm.customer.teleported.v1';
    broken.steps['wait-3d'].duration = '3 days';
    broken.steps.email.action.template = { A: 'winback-a' };
    broken.steps['await-purchase'].onTimeout = 'nowhere';
    expect(validateJourney(broken)).toEqual(
      expect.arrayContaining([
        { field: 'entry', message: 'unknown event type "crm.customer.teleported.v1"' },
        { field: 'steps.wait-3d', message: '"3 days" is not a duration like 30m, 12h or 3d' },
        { field: 'steps.email', message: 'missing template for variant B' },
        { field: 'steps.await-purchase', message: 'onTimeout "nowhere" is not a step' },
      ]),
    );
  });

  it('find unreachable steps and loops that never wait', () => {
    const orphan = structuredClone(winBack);
    orphan.steps.orphan = { type: 'exit' };
    expect(validateJourney(orphan)).toEqual([{ field: 'steps.orphan', message: 'unreachable from start' }]);
    const loop = structuredClone(winBack);
    loop.steps['is-core'] = {
      type: 'branch',
      attribute: 'variant',
      in: ['A'],
      then: 'call',
      else: 'is-core',
    };
    expect(validateJourney(loop).map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^loop without a wait: .*is-core → is-core/)]),
    );
  });

  it('answer any JSON with a list of problems, never an exception', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(Array.isArray(validateJourney(value))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

/** Random journeys over a few step ids: most are invalid; the valid ones must run to a wait or an end. */
const stepIds = ['s0', 's1', 's2', 's3', 's4'];
const target = fc.constantFrom(...stepIds);
const stepArbitrary: fc.Arbitrary<JourneyStep> = fc.oneof(
  fc.record({
    type: fc.constant('wait' as const),
    duration: fc.constantFrom('1h', '2d', '30m'),
    next: target,
  }),
  fc.record({
    type: fc.constant('wait' as const),
    until: fc.constantFrom('00:00', '09:30', '23:59'),
    next: target,
  }),
  fc.record({
    type: fc.constant('action' as const),
    action: fc.constant({ kind: 'task' as const, detail: 'call the customer' }),
    next: fc.option(target, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('action' as const),
    action: fc.constant({ kind: 'ticket' as const, ticketType: 'follow-up' as const, subject: 'follow up' }),
    next: fc.option(target, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('action' as const),
    action: fc.record({
      kind: fc.constant('points' as const),
      points: fc.integer({ min: 1, max: 1_000_000 }),
      reason: fc.constant('a thank-you'),
    }),
    next: fc.option(target, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('waitForEvent' as const),
    event: fc.constant('crm.purchase.recorded.v1'),
    timeout: fc.constantFrom('1d', '5d'),
    next: target,
    onTimeout: target,
  }),
  fc.record({
    type: fc.constant('branch' as const),
    attribute: fc.constant('variant' as const),
    in: fc.constant<string[]>(['A']),
    then: target,
    else: target,
  }),
  fc.record({
    type: fc.constant('action' as const),
    action: fc.constant({
      kind: 'touch' as const,
      channel: 'email' as const,
      purpose: 'service' as const,
      template: 't',
    }),
    next: fc.option(target, { nil: undefined }),
  }),
  fc.constant({ type: 'exit' as const }),
);

describe('the journey engine', () => {
  it('runs the win-back path: waits, e-mails the variant, converts on a purchase', () => {
    const customer = randomUUID();
    const result = simulate(winBack, 'win-back', customer, { valueLoyaltySegment: 'core' }, [
      { ...entered, at: t0 },
      { type: 'crm.purchase.recorded.v1', at: at(5), data: {} },
    ]);
    expect(result.entered).toBe(true);
    expect(result.timeline.map((s) => [s.input, s.path])).toEqual([
      ['enter (crm.segment.changed.v1)', ['wait-3d']],
      ['timer', ['email', 'await-purchase']],
      ['crm.purchase.recorded.v1', ['thanks']],
    ]);
    expect(result.timeline[1].at).toBe(at(3).toISOString());
    expect(result.timeline[1].touches[0]).toMatchObject({
      template: result.variant === 'B' ? 'winback-b' : 'winback-a',
      holdout: result.holdout,
    });
    expect(result.converted).toBe(true);
    expect(result.final?.status).toBe('completed');
  });

  it('times out to the branch, and exits on erasure at any point', () => {
    const customer = randomUUID();
    const timedOut = simulate(
      winBack,
      'win-back',
      customer,
      { valueLoyaltySegment: 'core' },
      [{ ...entered, at: t0 }],
      at(30),
    );
    expect(timedOut.timeline.map((s) => s.path)).toEqual([
      ['wait-3d'],
      ['email', 'await-purchase'],
      ['is-core', 'call'],
    ]);
    expect(timedOut.converted).toBe(false);
    const erased = simulate(
      winBack,
      'win-back',
      customer,
      {},
      [
        { ...entered, at: t0 },
        { type: 'crm.customer.erased.v1', at: at(1), data: {} },
      ],
      at(30),
    );
    expect(erased.final).toMatchObject({ status: 'exited', exitReason: 'crm.customer.erased.v1' });
    expect(erased.timeline.flatMap((s) => s.touches)).toEqual([]);
  });

  it('does nothing before a wait is due, and each action once', () => {
    const state = advance(
      winBack,
      initialState(winBack),
      { kind: 'enter' },
      { now: t0, variant: 'A', holdout: false, attributes: {} },
    ).state;
    const early = advance(
      winBack,
      state,
      { kind: 'timer' },
      { now: at(2.9), variant: 'A', holdout: false, attributes: {} },
    );
    expect(early).toEqual({ state, effects: [], path: [] });
    const due = advance(
      winBack,
      state,
      { kind: 'timer' },
      { now: at(3), variant: 'A', holdout: false, attributes: {} },
    );
    expect(due.effects).toHaveLength(1);
    const again = advance(
      winBack,
      due.state,
      { kind: 'timer' },
      { now: at(3), variant: 'A', holdout: false, attributes: {} },
    );
    expect(again.effects).toEqual([]);
  });

  it('buckets customers deterministically: the holdout share and the variant weights hold', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const id = `customer-${i}`;
      const first = assignVariant(winBack, 'win-back', id);
      expect(assignVariant(winBack, 'win-back', id)).toEqual(first);
      counts.set(first.variant, (counts.get(first.variant) ?? 0) + 1);
    }
    expect(counts.get('holdout')! / 20_000).toBeCloseTo(0.1, 1);
    expect(counts.get('A')! / counts.get('B')!).toBeGreaterThan(0.9);
    expect(counts.get('A')! / counts.get('B')!).toBeLessThan(1.1);
  });

  it('runs every valid generated journey against any events to a wait or an end, never past its fuse', () => {
    let valid = 0;
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...stepIds), stepArbitrary, { minKeys: 1 }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 20 }),
            fc.constantFrom('crm.purchase.recorded.v1', 'crm.customer.erased.v1'),
          ),
          {
            maxLength: 6,
          },
        ),
        (steps, later) => {
          const definition: JourneyDefinition = {
            name: 'generated',
            entry: { event: 'crm.customer.registered.v1' },
            exitOn: ['crm.customer.erased.v1'],
            start: Object.keys(steps)[0],
            steps,
          };
          if (validateJourney(definition).length > 0) return;
          valid++;
          const result = simulate(
            definition,
            'generated',
            'c-1',
            {},
            [
              { type: 'crm.customer.registered.v1', at: t0 },
              ...later.map(([d, type]) => ({ type, at: at(d) })),
            ],
            at(60),
          );
          expect(result.entered).toBe(true);
          for (const step of result.timeline)
            expect(step.path.length).toBeLessThanOrEqual(Object.keys(steps).length + 1);
        },
      ),
      { numRuns: 1000 },
    );
    expect(valid).toBeGreaterThan(20);
  });
});

describe('waits until a local time of day, and tasks for the owner', () => {
  const morning: JourneyDefinition = {
    name: 'Morning call',
    entry: { event: 'crm.lifecycle-stage.changed.v1', match: { stage: 'decline' } },
    start: 'next-morning',
    steps: {
      'next-morning': { type: 'wait', until: '09:30', next: 'call' },
      call: { type: 'action', action: { kind: 'task', detail: 'call: win-back offer' } },
    },
  };

  it("waits until the next 09:30 in the customer's time zone, then asks the owner to call", () => {
    expect(validateJourney(morning)).toEqual([]);
    // 2026-01-05 09:00 UTC is 17:00 in Shanghai: the next 09:30 there is 01:30 UTC the next day.
    const result = simulate(
      morning,
      'morning',
      'c-1',
      { timeZone: 'Asia/Shanghai' },
      [{ type: 'crm.lifecycle-stage.changed.v1', at: t0, data: { stage: 'decline' } }],
      at(2),
    );
    expect(result.timeline.map((s) => [s.at, s.path])).toEqual([
      ['2026-01-05T09:00:00.000Z', ['next-morning']],
      ['2026-01-06T01:30:00.000Z', ['call']],
    ]);
    expect(result.timeline[1].touches).toEqual([
      { kind: 'task', step: 'call', sequence: 2, detail: 'call: win-back offer', holdout: false },
    ]);
    // In UTC it is 09:00: today's 09:30 is half an hour away.
    const utc = simulate(morning, 'morning', 'c-1', {}, [
      { type: 'crm.lifecycle-stage.changed.v1', at: t0, data: { stage: 'decline' } },
    ]);
    expect(utc.final?.wakeAt).toEqual(new Date('2026-01-05T09:30:00.000Z'));
  });

  it('branches on custom segment membership', () => {
    const vip: JourneyDefinition = {
      ...morning,
      start: 'is-vip',
      steps: {
        'is-vip': {
          type: 'branch',
          attribute: 'segment',
          in: ['vip-pumps', 'vip-valves'],
          then: 'call',
          else: 'done',
        },
        call: { type: 'action', action: { kind: 'task', detail: 'call' } },
        done: { type: 'exit' },
      },
    };
    expect(validateJourney(vip)).toEqual([]);
    const entry = [{ type: 'crm.lifecycle-stage.changed.v1', at: t0, data: { stage: 'decline' } }];
    expect(simulate(vip, 'vip', 'c-1', { customSegments: ['vip-valves'] }, entry).timeline[0].path).toEqual([
      'is-vip',
      'call',
    ]);
    expect(simulate(vip, 'vip', 'c-1', { customSegments: ['other'] }, entry).timeline[0].path).toEqual([
      'is-vip',
      'done',
    ]);
    const bad = structuredClone(vip) as any;
    bad.steps['is-vip'].in = ['Not An Id'];
    expect(validateJourney(bad)).toEqual([
      { field: 'steps.is-vip', message: 'in must list 1 to 20 segment ids (lower-case letters, digits, -)' },
    ]);
  });

  it('enters on a platform trigger (a playbook is such a journey), and refuses an unknown trigger or one mixed with an event', () => {
    const playbook: JourneyDefinition = {
      name: 'Became high-value: an exclusive advisor is assigned',
      playbook: 'exclusive-advisor',
      entry: { trigger: 'tier-entered:high-value' },
      start: 'touch',
      steps: {
        touch: {
          type: 'action',
          action: {
            kind: 'touch',
            channel: 'phone',
            purpose: 'service',
            template: 'assign-exclusive-advisor',
            contactDueHours: 48,
          },
        },
      },
    };
    expect(validateJourney(playbook)).toEqual([]);
    expect(validateJourney({ ...playbook, entry: { trigger: 'custom-segment-entered:vip-2026' } })).toEqual(
      [],
    );
    const run = simulate(playbook, 'exclusive-advisor', 'c-1', {}, [
      { type: 'crm.customer.rescored.v1', at: t0, data: { valueTier: 'high-value' } },
      { type: 'tier-entered:high-value', at: t0, data: {} },
    ]);
    expect(run.entered).toBe(true);
    expect(run.timeline[0].touches).toEqual([
      expect.objectContaining({ kind: 'touch', template: 'assign-exclusive-advisor', contactDueHours: 48 }),
    ]);
    expect(validateJourney({ ...playbook, entry: { trigger: 'tier-entered:platinum' } })[0]).toMatchObject({
      field: 'entry',
      message: expect.stringContaining('unknown trigger "tier-entered:platinum"'),
    });
    expect(
      validateJourney({
        ...playbook,
        entry: { trigger: 'first-purchase', event: 'crm.purchase.recorded.v1' },
      }),
    ).toEqual([{ field: 'entry', message: 'entry names an event (with a match) or a trigger, not both' }]);
    const bad = structuredClone(playbook) as any;
    bad.steps.touch.action.contactDueHours = 0;
    bad.playbook = 'Not A Name';
    expect(validateJourney(bad).map((p) => p.message)).toEqual([
      'playbook must be 1 to 64 lowercase letters, digits, : and -',
      'action.contactDueHours must be a whole number of hours from 1 to 720',
    ]);
  });

  it('grants points once per step, none to a holdout, and refuses a grant that is not a whole number in range', () => {
    const grant: JourneyDefinition = {
      ...morning,
      start: 'reward',
      steps: {
        reward: { type: 'action', action: { kind: 'points', points: 100, reason: 'first purchase' } },
      },
    };
    expect(validateJourney(grant)).toEqual([]);
    const run = simulate(grant, 't', 'c-1', {}, [
      { type: 'crm.lifecycle-stage.changed.v1', at: t0, data: { stage: 'decline' } },
    ]);
    expect(run.timeline[0].touches).toEqual([
      { kind: 'points', step: 'reward', sequence: 1, points: 100, reason: 'first purchase', holdout: false },
    ]);
    for (const points of [0, 1.5, -3, 1_000_001, '100']) {
      const bad = structuredClone(grant) as any;
      bad.steps.reward.action.points = points;
      expect(validateJourney(bad)).toEqual([
        { field: 'steps.reward', message: 'action.points must be a whole number from 1 to 1000000' },
      ]);
    }
    const noReason = structuredClone(grant) as any;
    noReason.steps.reward.action.reason = '';
    expect(validateJourney(noReason)).toEqual([
      { field: 'steps.reward', message: 'action.reason must be 1 to 200 characters' },
    ]);
  });

  it('asks feedback-sla for a ticket, and refuses a complaint or a subject too long', () => {
    const ticket: JourneyDefinition = {
      ...morning,
      start: 'open',
      steps: {
        open: { type: 'action', action: { kind: 'ticket', ticketType: 'consultation', subject: 'check in' } },
      },
    };
    expect(validateJourney(ticket)).toEqual([]);
    const run = simulate(ticket, 't', 'c-1', {}, [
      { type: 'crm.lifecycle-stage.changed.v1', at: t0, data: { stage: 'decline' } },
    ]);
    expect(run.timeline[0].touches).toEqual([
      {
        kind: 'ticket',
        step: 'open',
        sequence: 1,
        ticketType: 'consultation',
        priority: 'normal',
        subject: 'check in',
        holdout: false,
      },
    ]);
    const bad = structuredClone(ticket) as any;
    bad.steps.open.action = { kind: 'ticket', ticketType: 'complaint', subject: 'x'.repeat(201) };
    expect(validateJourney(bad)).toEqual([
      {
        field: 'steps.open',
        message: 'action.ticketType must be one of consultation, follow-up, suggestion',
      },
      { field: 'steps.open', message: 'action.subject must be 1 to 200 characters' },
    ]);
  });

  it('names a bad time of day, a wait with both, and a task without detail', () => {
    const broken = structuredClone(morning) as any;
    broken.steps['next-morning'] = { type: 'wait', until: '24:00', duration: '1d', next: 'call' };
    broken.steps.call.action = { kind: 'task', detail: '' };
    expect(validateJourney(broken)).toEqual([
      { field: 'steps.next-morning', message: 'a wait has either a duration or until, not both' },
      { field: 'steps.next-morning', message: 'until "24:00" is not a time of day like 09:30' },
      { field: 'steps.call', message: 'action.detail must be 1 to 200 characters' },
    ]);
  });
});

describe('the README', () => {
  it('defines a journey that validates and runs', () => {
    const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
    const json = /journeys\/welcome -H[^\n]*-d '(\{[\s\S]*?\})'\n/.exec(readme)?.[1];
    expect(json).toBeDefined();
    const definition = JSON.parse(json!) as JourneyDefinition;
    expect(validateJourney(definition)).toEqual([]);
    const result = simulate(
      definition,
      'welcome',
      'c-1',
      { valueLoyaltySegment: 'core' },
      [{ type: 'crm.purchase.recorded.v1', at: t0, data: { firstPurchase: true } }],
      at(30),
    );
    expect(result.timeline.at(-1)?.path).toEqual(['is-core', 'call']);
  });
});

describe('the event types a journey reacts to', () => {
  it('are its entry, goal, exits and awaited events, and nothing else', () => {
    const definition = {
      name: 'win back',
      entry: { event: 'crm.lifecycle-stage.changed.v1' },
      goal: { event: 'crm.purchase.recorded.v1', withinDays: 30 },
      exitOn: ['crm.customer.erased.v1'],
      start: 'wait',
      steps: {
        wait: {
          type: 'waitForEvent',
          event: 'crm.interaction.logged.v1',
          timeout: '3d',
          next: 'done',
          onTimeout: 'done',
        },
        done: { type: 'action', action: { kind: 'task', detail: 'call' } },
      },
    } as unknown as JourneyDefinition;
    expect(eventTypesOf(definition).sort()).toEqual([
      'crm.customer.erased.v1',
      'crm.interaction.logged.v1',
      'crm.lifecycle-stage.changed.v1',
      'crm.purchase.recorded.v1',
    ]);
    expect(
      eventTypesOf({
        ...definition,
        entry: { trigger: 'first-purchase' },
        goal: undefined,
        exitOn: undefined,
      }),
    ).toEqual(['crm.interaction.logged.v1']);
  });
});
