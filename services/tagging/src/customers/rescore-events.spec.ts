import type { CustomerClassificationV1 } from '@crm/contracts';
import type { CustomerFacts } from '../scoring/classify';
import { reactivated, rescoreEvents, type Evaluation } from './rescore-events';

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
