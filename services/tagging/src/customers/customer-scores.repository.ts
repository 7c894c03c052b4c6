import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CustomerClassificationV1, LifecycleStage } from '@crm/contracts';
import { queryOne, queryRows, type Queryable } from '@crm/persistence';

/** The columns of `customer_scores` that hold a classification. */
export interface ClassificationColumns {
  recency: number;
  frequency: number;
  monetary: number;
  value_tier: CustomerClassificationV1['valueTier'];
  value_loyalty_segment: CustomerClassificationV1['valueLoyaltySegment'];
  membership_level: CustomerClassificationV1['membershipLevel'];
  lifecycle_stage: LifecycleStage;
  tags: string[];
}

export function toClassification(row: ClassificationColumns): CustomerClassificationV1 {
  return {
    rfm: { recency: row.recency, frequency: row.frequency, monetary: row.monetary },
    valueTier: row.value_tier,
    valueLoyaltySegment: row.value_loyalty_segment,
    membershipLevel: row.membership_level,
    lifecycleStage: row.lifecycle_stage,
    tags: row.tags,
  };
}

/** A row of `customer_scores`. */
export interface CustomerScoresRow extends ClassificationColumns {
  customer_id: string;
  spend_12m: string | number;
  purchases_12m: number;
  lifetime_purchases: number;
  last_purchase_at: Date | null;
  first_purchase_at: Date | null;
  rules_version: string;
  scored_at: Date;
  caused_by_event_id: string | null;
}

export interface StageHistoryRow {
  previous_stage: LifecycleStage | null;
  stage: LifecycleStage;
  reactivated: boolean;
  caused_by_event_id: string | null;
  sweep_run_id: string | null;
  changed_at: Date;
}

export interface SatisfactionRow {
  kind: 'nps' | 'csat';
  score: number;
  sentiment: string;
  answered_at: Date;
}

/** Tagging's per-customer read model: scores, stage history, satisfaction facts, manual tags, exclusions. */
@Injectable()
export class CustomerScoresRepository {
  constructor(private readonly dataSource: DataSource) {}

  scores(customerId: string): Promise<CustomerScoresRow | undefined> {
    return queryOne<CustomerScoresRow>(
      this.dataSource,
      'SELECT * FROM customer_scores WHERE customer_id = $1',
      [customerId],
    );
  }

  /** The excluded categories, or undefined when tagging does not know the customer. */
  async exclusions(customerId: string): Promise<string[] | undefined> {
    const row = await queryOne<{ excluded_categories: string[] | null }>(
      this.dataSource,
      'SELECT excluded_categories FROM customers WHERE customer_id = $1',
      [customerId],
    );
    return row && (row.excluded_categories ?? []);
  }

  /** The latest answer of each survey kind. */
  latestSatisfaction(customerId: string): Promise<SatisfactionRow[]> {
    return queryRows<SatisfactionRow>(
      this.dataSource,
      `SELECT DISTINCT ON (kind) kind, score, sentiment, answered_at FROM satisfaction_facts
        WHERE customer_id = $1 ORDER BY kind, answered_at DESC`,
      [customerId],
    );
  }

  stageHistory(customerId: string): Promise<StageHistoryRow[]> {
    return queryRows<StageHistoryRow>(
      this.dataSource,
      'SELECT * FROM stage_history WHERE customer_id = $1 ORDER BY id',
      [customerId],
    );
  }

  /** Answers whether the customer exists. */
  async setManualTags(db: Queryable, customerId: string, tags: string[]): Promise<boolean> {
    const updated = await queryRows<{ customer_id: string }>(
      db,
      'UPDATE customers SET manual_tags = $2, updated_at = now() WHERE customer_id = $1 RETURNING customer_id',
      [customerId, tags],
    );
    return updated.length > 0;
  }
}
