import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { validateJourney, type JourneyDefinition, type JourneyStep } from './journey-definition';
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
