import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CustomerRescored,
  LifecycleStageChanged,
  SegmentChanged,
  type CustomerClassificationV1,
  type LifecycleStage,
} from '@crm/contracts';
import { OutboxPublisher, type PublishMetadata } from '@crm/messaging';
import { changedFields, classify, monthsBefore, type CustomerFacts } from '../scoring/classify';
import type { ScoringRuleSet } from '../scoring/rule-set';
import { SCORING_RULES } from '../scoring/rules.provider';

export interface RescoreCause {
  eventId?: string;
  sweepRunId?: string;
  correlationId: string;
}

interface ScoreRow {
  recency: number;
  frequency: number;
  monetary: number;
  value_tier: CustomerClassificationV1['valueTier'];
  value_loyalty_segment: CustomerClassificationV1['valueLoyaltySegment'];
  membership_level: CustomerClassificationV1['membershipLevel'];
  lifecycle_stage: LifecycleStage;
  tags: string[];
}

function toClassification(row: ScoreRow): CustomerClassificationV1 {
  return {
    rfm: { recency: row.recency, frequency: row.frequency, monetary: row.monetary },
    valueTier: row.value_tier,
    valueLoyaltySegment: row.value_loyalty_segment,
    membershipLevel: row.membership_level,
    lifecycleStage: row.lifecycle_stage,
    tags: row.tags,
  };
}

const REACTIVATING_FROM: LifecycleStage[] = ['decline', 'churned'];

/**
 * Re-evaluates one customer inside the caller's transaction and emits events only for what changed:
 * `customer rescored`, `lifecycle stage changed` and `segment changed` (exited, entered).
 */
@Injectable()
export class RescoringService {
  constructor(
    @Inject(SCORING_RULES) private readonly rules: ScoringRuleSet,
    private readonly outbox: OutboxPublisher,
  ) {}

  async loadFacts(manager: EntityManager, customerId: string, asOf: Date): Promise<CustomerFacts> {
    const yearAgo = monthsBefore(asOf, 12);
    const [row] = await manager.query(
      `SELECT c.relationship_started_at, c.manual_tags,
              coalesce(sum(f.amount) FILTER (WHERE f.occurred_at > $2 AND f.occurred_at <= $3), 0)::float8 AS spend_12m,
              count(f.order_id) FILTER (WHERE f.occurred_at > $2 AND f.occurred_at <= $3)::int AS purchases_12m,
              count(f.order_id) FILTER (WHERE f.occurred_at <= $3)::int AS lifetime_purchases,
              max(f.occurred_at) FILTER (WHERE f.occurred_at <= $3) AS last_purchase_at
         FROM customers c LEFT JOIN purchase_facts f ON f.customer_id = c.customer_id
        WHERE c.customer_id = $1
        GROUP BY c.customer_id`,
      [customerId, yearAgo, asOf],
    );
    const categories: { category: string; spend: number }[] = await manager.query(
      `SELECT key AS category, sum(value::numeric)::float8 AS spend
         FROM purchase_facts, jsonb_each_text(category_amounts) WHERE customer_id = $1 AND occurred_at <= $2 GROUP BY key`,
      [customerId, asOf],
    );
    return {
      asOf,
      relationshipStartedAt: row?.relationship_started_at ?? null,
      spend12m: row?.spend_12m ?? 0,
      purchases12m: row?.purchases_12m ?? 0,
      lifetimePurchases: row?.lifetime_purchases ?? 0,
      lastPurchaseAt: row?.last_purchase_at ?? null,
      categorySpend: Object.fromEntries(categories.map((c) => [c.category, c.spend])),
      manualTags: row?.manual_tags ?? [],
    };
  }

  async rescore(
    manager: EntityManager,
    customerId: string,
    cause: RescoreCause,
    asOf = new Date(),
  ): Promise<string[]> {
    const [customer] = await manager.query(
      'SELECT registered FROM customers WHERE customer_id = $1 FOR UPDATE',
      [customerId],
    );
    // A purchase that overtook its registration (another topic) is kept as a fact; scoring waits for the
    // registration, so the first classification knows the relationship and the stage history starts right.
    if (!customer?.registered) return [];
    const facts = await this.loadFacts(manager, customerId, asOf);
    const current = classify(facts, this.rules);
    const [previousRow]: ScoreRow[] = await manager.query(
      'SELECT * FROM customer_scores WHERE customer_id = $1',
      [customerId],
    );
    const previous = previousRow ? toClassification(previousRow) : undefined;
    const changed = changedFields(previous, current);
    if (changed.length === 0) return [];

    await manager.query(
      `INSERT INTO customer_scores (customer_id, recency, frequency, monetary, value_tier, value_loyalty_segment, membership_level,
                                    lifecycle_stage, tags, spend_12m, purchases_12m, lifetime_purchases, last_purchase_at,
                                    rules_version, scored_at, caused_by_event_id, sweep_run_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
       ON CONFLICT (customer_id) DO UPDATE SET recency = EXCLUDED.recency, frequency = EXCLUDED.frequency,
         monetary = EXCLUDED.monetary, value_tier = EXCLUDED.value_tier, value_loyalty_segment = EXCLUDED.value_loyalty_segment,
         membership_level = EXCLUDED.membership_level, lifecycle_stage = EXCLUDED.lifecycle_stage, tags = EXCLUDED.tags,
         spend_12m = EXCLUDED.spend_12m, purchases_12m = EXCLUDED.purchases_12m, lifetime_purchases = EXCLUDED.lifetime_purchases,
         last_purchase_at = EXCLUDED.last_purchase_at, rules_version = EXCLUDED.rules_version, scored_at = EXCLUDED.scored_at,
         caused_by_event_id = EXCLUDED.caused_by_event_id, sweep_run_id = EXCLUDED.sweep_run_id`,
      [
        customerId,
        current.rfm.recency,
        current.rfm.frequency,
        current.rfm.monetary,
        current.valueTier,
        current.valueLoyaltySegment,
        current.membershipLevel,
        current.lifecycleStage,
        current.tags,
        facts.spend12m,
        facts.purchases12m,
        facts.lifetimePurchases,
        facts.lastPurchaseAt,
        this.rules.version,
        asOf,
        cause.eventId ?? null,
        cause.sweepRunId ?? null,
      ],
    );
    const meta: PublishMetadata = {
      subject: customerId,
      correlationId: cause.correlationId,
      causationId: cause.eventId ?? cause.sweepRunId,
    };
    const provenance = { causedByEventId: cause.eventId, sweepRunId: cause.sweepRunId };
    const now = new Date().toISOString();
    await this.outbox.publish(
      manager,
      CustomerRescored,
      { customerId, current, previous, changed, ...provenance, scoredAt: now },
      meta,
    );

    if (previous?.lifecycleStage !== current.lifecycleStage) {
      const reactivated =
        previous !== undefined &&
        REACTIVATING_FROM.includes(previous.lifecycleStage) &&
        !REACTIVATING_FROM.includes(current.lifecycleStage);
      await manager.query(
        `INSERT INTO stage_history (customer_id, previous_stage, stage, reactivated, caused_by_event_id, sweep_run_id, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          customerId,
          previous?.lifecycleStage ?? null,
          current.lifecycleStage,
          reactivated,
          cause.eventId ?? null,
          cause.sweepRunId ?? null,
          now,
        ],
      );
      await this.outbox.publish(
        manager,
        LifecycleStageChanged,
        {
          customerId,
          previousStage: previous?.lifecycleStage,
          stage: current.lifecycleStage,
          reactivated,
          ...provenance,
          changedAt: now,
        },
        meta,
      );
    }
    if (previous?.valueLoyaltySegment !== current.valueLoyaltySegment) {
      const base = { customerId, segmentSet: 'value-loyalty', ...provenance, changedAt: now };
      if (previous) {
        await this.outbox.publish(
          manager,
          SegmentChanged,
          {
            ...base,
            segment: previous.valueLoyaltySegment,
            change: 'exited',
            counterpart: current.valueLoyaltySegment,
          },
          meta,
        );
      }
      await this.outbox.publish(
        manager,
        SegmentChanged,
        {
          ...base,
          segment: current.valueLoyaltySegment,
          change: 'entered',
          counterpart: previous?.valueLoyaltySegment,
        },
        meta,
      );
    }
    return changed;
  }
}
