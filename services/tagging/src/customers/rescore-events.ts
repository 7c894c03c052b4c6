import {
  ChurnRiskChanged,
  CustomerRescored,
  LifecycleStageChanged,
  MembershipChanged,
  SegmentChanged,
  type CustomerClassificationV1,
  type LifecycleStage,
} from '@crm/contracts';
import { causedBy, causeFor, type Cause, type Causes, type OutboxItem } from '@crm/messaging';
import type { CustomerFacts, Prediction } from '../scoring/classify';
import type { FactEdges } from '../scoring/steady';
import { levelRank } from '../scoring/membership-progress';

/** A customer evaluated at an as-of date: its facts, the new and the stored classification. */
export interface Evaluation {
  customerId: string;
  facts: CustomerFacts;
  current: CustomerClassificationV1;
  previous?: CustomerClassificationV1;
  changed: string[];
  /** The rule-set version evaluated with, and the one that produced the stored scores (null before any). */
  rulesVersion: string;
  scoredBy: string | null;
  /** Churn risk now, whether it is (and was) announced as high, and the threshold of the alert. */
  churn: { prediction: Prediction; high: boolean; wasHigh: boolean; threshold: number };
  /** When time alone moves the facts (purchases and interactions entering and leaving their windows). */
  edges: FactEdges;
  /** Until when time alone leaves this evaluation as it is (`steadyUntil`); null: nothing time does moves it. */
  steadyUntil: Date | null;
}

/** The churn alert moved (up to high or back to normal). */
export const churnMoved = (e: Evaluation) => e.churn.high !== e.churn.wasHigh;

/** `churn risk changed` for an evaluation whose alert moved. */
export function churnEvent(e: Evaluation, cause: Cause, now: string): OutboxItem {
  const p = e.churn.prediction;
  return {
    definition: ChurnRiskChanged,
    payload: {
      customerId: e.customerId,
      level: e.churn.high ? 'high' : 'normal',
      churnRisk: p.churnRisk ?? 0,
      purchaseRisk: p.purchaseRisk ?? 0,
      interactionDecline: p.interactionDecline,
      interactionsRecent: e.facts.interactionsRecent ?? 0,
      interactionsBefore: e.facts.interactionsBefore ?? 0,
      threshold: e.churn.threshold,
      rulesVersion: e.rulesVersion,
      causedByEventId: cause.eventId,
      sweepRunId: cause.runId,
      changedAt: now,
    },
    meta: causedBy(e.customerId, cause),
  };
}

const REACTIVATING_FROM: LifecycleStage[] = ['decline', 'churned'];

export const stageChanged = (e: Evaluation) => e.previous?.lifecycleStage !== e.current.lifecycleStage;

/** A row of `stage_history`: one move of a customer between lifecycle stages. */
export interface StageMove {
  customerId: string;
  from: LifecycleStage | null;
  to: LifecycleStage;
  reactivated: boolean;
}

/**
 * The moves the stage history records for these evaluations, in order. Every customer's history starts in
 * acquisition: a customer first scored in a later stage (its purchases reached tagging before its
 * registration did, or it came with an imported history) is recorded as acquired and then moved on, so the
 * journey map counts it as acquired and converted, whatever order the topics were read in.
 */
export function stageHistory(evaluations: Evaluation[]): StageMove[] {
  return evaluations.filter(stageChanged).flatMap((e): StageMove[] => {
    const to = e.current.lifecycleStage;
    const move = { customerId: e.customerId, to, reactivated: reactivated(e) };
    if (e.previous) return [{ ...move, from: e.previous.lifecycleStage }];
    if (to === 'acquisition') return [{ ...move, from: null }];
    return [
      { customerId: e.customerId, from: null, to: 'acquisition', reactivated: false },
      { ...move, from: 'acquisition' },
    ];
  });
}

/** Back from decline or churned to an active stage. */
export function reactivated(e: Evaluation): boolean {
  return (
    e.previous !== undefined &&
    REACTIVATING_FROM.includes(e.previous.lifecycleStage) &&
    !REACTIVATING_FROM.includes(e.current.lifecycleStage)
  );
}

/**
 * The events a set of changed evaluations emits, in order per customer: `customer rescored`, then
 * `lifecycle stage changed` when the stage moved, then `segment changed` for the value-loyalty segment
 * (exited the old, entered the new). Each carries its customer's cause and the time `now`.
 */
export function rescoreEvents(
  changed: Evaluation[],
  causes: Causes,
  now: string,
  /** The privileges of each membership level, carried by `membership changed`. */
  privileges: Record<string, string[]> = {},
): OutboxItem[] {
  const events: OutboxItem[] = [];
  for (const e of changed) {
    const cause = causeFor(causes, e.customerId);
    const provenance = { causedByEventId: cause.eventId, sweepRunId: cause.runId };
    const meta = causedBy(e.customerId, cause);
    const rulesVersion = e.rulesVersion;
    events.push({
      definition: CustomerRescored,
      payload: {
        customerId: e.customerId,
        current: e.current,
        previous: e.previous,
        changed: e.changed,
        rulesVersion,
        ...provenance,
        scoredAt: now,
      },
      meta,
    });
    if (stageChanged(e))
      events.push({
        definition: LifecycleStageChanged,
        payload: {
          customerId: e.customerId,
          previousStage: e.previous?.lifecycleStage,
          stage: e.current.lifecycleStage,
          reactivated: reactivated(e),
          rulesVersion,
          ...provenance,
          changedAt: now,
        },
        meta,
      });
    if (e.previous?.valueLoyaltySegment !== e.current.valueLoyaltySegment) {
      const base = {
        customerId: e.customerId,
        segmentSet: 'value-loyalty',
        rulesVersion,
        ...provenance,
        changedAt: now,
      };
      if (e.previous)
        events.push({
          definition: SegmentChanged,
          payload: {
            ...base,
            segment: e.previous.valueLoyaltySegment,
            change: 'exited',
            counterpart: e.current.valueLoyaltySegment,
          },
          meta,
        });
      events.push({
        definition: SegmentChanged,
        payload: {
          ...base,
          segment: e.current.valueLoyaltySegment,
          change: 'entered',
          counterpart: e.previous?.valueLoyaltySegment,
        },
        meta,
      });
    }
    // A level that moved (not the first classification) is news for the customer: welcome or notice.
    if (e.previous && e.previous.membershipLevel !== e.current.membershipLevel)
      events.push({
        definition: MembershipChanged,
        payload: {
          customerId: e.customerId,
          level: e.current.membershipLevel,
          previousLevel: e.previous.membershipLevel,
          direction:
            levelRank(e.current.membershipLevel) > levelRank(e.previous.membershipLevel) ? 'up' : 'down',
          privileges: privileges[e.current.membershipLevel] ?? [],
          rulesVersion,
          ...provenance,
          changedAt: now,
        },
        meta,
      });
  }
  return events;
}
