import fc from 'fast-check';
import type { CustomerClassificationV1, LifecycleStage } from '@crm/contracts';
import type { CustomerFacts } from '../scoring/classify';
import { reactivated, rescoreEvents, stageHistory, type Evaluation } from './rescore-events';

const facts = {} as CustomerFacts;
const classification = (over: Partial<CustomerClassificationV1>): CustomerClassificationV1 => ({
  rfm: { recency: 3, frequency: 3, monetary: 3 },
  valueTier: 'stable',
  valueLoyaltySegment: 'general',
  membershipLevel: 'silver',
  lifecycleStage: 'growth',
  tags: [],
  ...over,
});
const evaluation = (
  previous: Partial<CustomerClassificationV1> | undefined,
  current: Partial<CustomerClassificationV1>,
): Evaluation => ({
  customerId: 'c-1',
  facts,
  previous: previous && classification(previous),
  current: classification(current),
  changed: ['x'],
  rulesVersion: '2024.06',
  scoredBy: '2024.06',
  churn: {
    prediction: {
      churnRisk: 0,
      purchaseRisk: 0,
      interactionDecline: 0,
      expectedNextPurchaseAt: null,
      expectedIntervalDays: null,
      model: 'own-interval',
    },
    high: false,
    wasHigh: false,
    threshold: 0.6,
  },
  edges: {
    oldestIn12m: null,
    newestBefore12m: null,
    nextPurchaseAt: null,
    oldestRecentInteraction: null,
    oldestEarlierInteraction: null,
    nextInteractionAt: null,
  },
  steadyUntil: null,
});
const types = (e: Evaluation) =>
  rescoreEvents([e], { correlationId: 'corr', eventId: 'evt' }, '2026-01-01T00:00:00.000Z').map(
    (item) => `${item.definition.type}${'change' in item.payload ? `:${String(item.payload.change)}` : ''}`,
  );

describe('the events a re-scoring emits', () => {
  it('emits only "customer rescored" when neither stage nor value-loyalty segment moved', () => {
    expect(types(evaluation({ valueTier: 'stable' }, { valueTier: 'potential' }))).toEqual([
      'crm.customer.rescored.v1',
    ]);
  });

  it('adds a stage change, then the segment exit before the entry', () => {
    expect(
      types(
        evaluation(
          { lifecycleStage: 'growth', valueLoyaltySegment: 'general' },
          { lifecycleStage: 'maturity', valueLoyaltySegment: 'core' },
        ),
      ),
    ).toEqual([
      'crm.customer.rescored.v1',
      'crm.lifecycle-stage.changed.v1',
      'crm.segment.changed.v1:exited',
      'crm.segment.changed.v1:entered',
    ]);
  });

  it('a first scoring enters the stage and the segment with no exit', () => {
    expect(types(evaluation(undefined, {}))).toEqual([
      'crm.customer.rescored.v1',
      'crm.lifecycle-stage.changed.v1',
      'crm.segment.changed.v1:entered',
    ]);
  });

  it('names the causing event and carries the correlation id on every event', () => {
    const items = rescoreEvents(
      [evaluation(undefined, {})],
      { correlationId: 'corr', eventId: 'evt' },
      'now',
    );
    for (const item of items) {
      expect(item.meta).toEqual({ subject: 'c-1', correlationId: 'corr', causationId: 'evt' });
      expect(item.payload).toMatchObject({ causedByEventId: 'evt' });
    }
  });

  it('names the sweep run when no event caused it', () => {
    const [item] = rescoreEvents([evaluation(undefined, {})], { correlationId: 'c', runId: 'run-1' }, 'now');
    expect(item.meta.causationId).toBe('run-1');
    expect(item.payload).toMatchObject({ sweepRunId: 'run-1' });
  });

  it('counts a return from decline or churned to an active stage as reactivation', () => {
    expect(reactivated(evaluation({ lifecycleStage: 'churned' }, { lifecycleStage: 'growth' }))).toBe(true);
    expect(reactivated(evaluation({ lifecycleStage: 'decline' }, { lifecycleStage: 'churned' }))).toBe(false);
    expect(reactivated(evaluation(undefined, { lifecycleStage: 'growth' }))).toBe(false);
  });
});

describe('the stage history a re-scoring records', () => {
  const STAGES: LifecycleStage[] = ['acquisition', 'growth', 'maturity', 'decline', 'churned'];
  const moves = (e: Evaluation) => stageHistory([e]).map((m) => `${m.from ?? 'none'}→${m.to}`);

  it('starts every customer in acquisition, even one first scored in a later stage', () => {
    expect(moves(evaluation(undefined, { lifecycleStage: 'acquisition' }))).toEqual(['none→acquisition']);
    // Its purchase reached tagging before its registration did.
    expect(moves(evaluation(undefined, { lifecycleStage: 'growth' }))).toEqual([
      'none→acquisition',
      'acquisition→growth',
    ]);
    expect(moves(evaluation({ lifecycleStage: 'growth' }, { lifecycleStage: 'maturity' }))).toEqual([
      'growth→maturity',
    ]);
    expect(moves(evaluation({ lifecycleStage: 'growth' }, { lifecycleStage: 'growth' }))).toEqual([]);
  });

  it('records, for any sequence of scorings, one unbroken chain from acquisition to the latest stage', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STAGES), { minLength: 1, maxLength: 12 }), (stages) => {
        const history = stages.flatMap((stage, i) =>
          stageHistory([
            evaluation(i === 0 ? undefined : { lifecycleStage: stages[i - 1] }, { lifecycleStage: stage }),
          ]),
        );
        expect(history[0]).toMatchObject({ from: null, to: 'acquisition', reactivated: false });
        for (let i = 1; i < history.length; i++) {
          expect(history[i].from).toBe(history[i - 1].to);
          expect(history[i].to).not.toBe(history[i].from);
          expect(history[i].reactivated).toBe(
            ['decline', 'churned'].includes(history[i].from!) &&
              !['decline', 'churned'].includes(history[i].to),
          );
        }
        expect(history[history.length - 1].to).toBe(stages[stages.length - 1]);
      }),
      { seed: 20261201, numRuns: 500 },
    );
  });
});
