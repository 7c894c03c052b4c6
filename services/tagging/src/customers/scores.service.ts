import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import type { Cause } from '@crm/messaging';
import { ServiceClock } from '@crm/persistence';
import { notFound } from '@crm/service-kit';
import { ExclusionsService } from '../preferences/exclusions.service';
import { predict, type Prediction } from '../scoring/classify';
import { RuleBook } from '../scoring/rule-book';
import {
  CustomerScoresRepository,
  toClassification,
  type SatisfactionRow,
} from './customer-scores.repository';
import { RescoringService } from './rescoring.service';

export class RfmView {
  @ApiProperty() recency: number;
  @ApiProperty() frequency: number;
  @ApiProperty() monetary: number;
}

export class FactsView {
  @ApiProperty() spend12m: number;
  @ApiProperty() purchases12m: number;
  @ApiProperty() lifetimePurchases: number;
  @ApiPropertyOptional({ nullable: true }) lastPurchaseAt: Date | null;
}

export class SatisfactionAnswerView {
  @ApiProperty() score: number;
  @ApiProperty() sentiment: string;
  @ApiProperty() answeredAt: Date;
}

export class SatisfactionView {
  @ApiPropertyOptional({ type: SatisfactionAnswerView, nullable: true }) nps: SatisfactionAnswerView | null;
  @ApiPropertyOptional({ type: SatisfactionAnswerView, nullable: true }) csat: SatisfactionAnswerView | null;
}

export class PredictionView {
  @ApiPropertyOptional({
    nullable: true,
    description: 'Purchase lateness plus the fall in interactions, 0-1',
  })
  churnRisk: number | null;
  @ApiPropertyOptional({ nullable: true }) purchaseRisk: number | null;
  @ApiProperty({ description: 'How far interactions fell against the window before (0-1)' })
  interactionDecline: number;
  @ApiProperty() interactionsRecent: number;
  @ApiProperty() interactionsBefore: number;
  @ApiProperty({ enum: ['high', 'normal'], description: 'Whether churn risk is announced as high' })
  alert: 'high' | 'normal';
  @ApiPropertyOptional({ nullable: true }) expectedNextPurchaseAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) expectedIntervalDays: number | null;
  @ApiProperty({ enum: ['own-interval', 'new-customer-fallback', 'no-purchase'] }) model: Prediction['model'];
}

export class CustomerScoresView {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ type: RfmView }) rfm: RfmView;
  @ApiProperty() valueTier: string;
  @ApiProperty() valueLoyaltySegment: string;
  @ApiProperty() membershipLevel: string;
  @ApiProperty() lifecycleStage: string;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: FactsView }) facts: FactsView;
  @ApiProperty({ type: SatisfactionView }) satisfaction: SatisfactionView;
  @ApiProperty({ type: PredictionView }) prediction: PredictionView;
  @ApiProperty({ type: [String] }) excludedCategories: string[];
  @ApiProperty() rulesVersion: string;
  @ApiProperty() scoredAt: Date;
  @ApiPropertyOptional({ nullable: true }) causedByEventId: string | null;
}

export class StageChangeView {
  @ApiPropertyOptional({ nullable: true }) previousStage: string | null;
  @ApiProperty() stage: string;
  @ApiProperty() reactivated: boolean;
  @ApiPropertyOptional({ nullable: true }) causedByEventId: string | null;
  @ApiPropertyOptional({ nullable: true }) sweepRunId: string | null;
  @ApiProperty() changedAt: Date;
}

export class ExclusionsView {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ type: [String] }) excludedCategories: string[];
}

const answerOf = (rows: SatisfactionRow[], kind: 'nps' | 'csat'): SatisfactionAnswerView | null => {
  const fact = rows.find((r) => r.kind === kind);
  return fact ? { score: fact.score, sentiment: fact.sentiment, answeredAt: fact.answered_at } : null;
};

const NO_FACTS = {
  relationshipStartedAt: null,
  spend12m: 0,
  purchases12m: 0,
  lifetimePurchases: 0,
  lastPurchaseAt: null,
  categorySpend: {},
  manualTags: [],
};

/** A customer's scores as tagging keeps them, and the changes an account manager makes by hand. */
@Injectable()
export class ScoresService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scores: CustomerScoresRepository,
    private readonly rescoring: RescoringService,
    private readonly exclusionsService: ExclusionsService,
    private readonly book: RuleBook,
    private readonly clock: ServiceClock,
  ) {}

  async view(customerId: string): Promise<CustomerScoresView> {
    const row = await this.scores.scores(customerId);
    if (!row) throw notFound('scored customer', customerId);
    const satisfaction = await this.scores.latestSatisfaction(customerId);
    const spend12m = Number(row.spend_12m);
    // Churn risk as the alert sees it: the same facts, interactions included, evaluated now.
    const now = await this.clock.now();
    const [evaluation] = await this.rescoring.evaluate(this.dataSource.manager, [customerId], now);
    const churn = evaluation?.churn ?? {
      prediction: predict({ ...NO_FACTS, asOf: now }, this.book.rules),
      high: false,
    };
    return {
      customerId,
      ...toClassification(row),
      facts: {
        spend12m,
        purchases12m: row.purchases_12m,
        lifetimePurchases: row.lifetime_purchases,
        lastPurchaseAt: row.last_purchase_at,
      },
      satisfaction: { nps: answerOf(satisfaction, 'nps'), csat: answerOf(satisfaction, 'csat') },
      prediction: {
        ...churn.prediction,
        interactionsRecent: evaluation?.facts.interactionsRecent ?? 0,
        interactionsBefore: evaluation?.facts.interactionsBefore ?? 0,
        alert: churn.high ? 'high' : 'normal',
      },
      excludedCategories: (await this.scores.exclusions(customerId)) ?? [],
      rulesVersion: row.rules_version,
      scoredAt: row.scored_at,
      causedByEventId: row.caused_by_event_id,
    };
  }

  async stageHistory(customerId: string): Promise<StageChangeView[]> {
    const rows = await this.scores.stageHistory(customerId);
    if (rows.length === 0) throw notFound('stage history of customer', customerId);
    return rows.map((r) => ({
      previousStage: r.previous_stage,
      stage: r.stage,
      reactivated: r.reactivated,
      causedByEventId: r.caused_by_event_id,
      sweepRunId: r.sweep_run_id,
      changedAt: r.changed_at,
    }));
  }

  async setManualTags(customerId: string, tags: string[], cause: Cause): Promise<CustomerScoresView> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.scores.setManualTags(manager, customerId, tags)))
        throw notFound('customer', customerId);
      await this.rescoring.rescore(manager, customerId, cause);
    });
    return this.view(customerId);
  }

  async exclusions(customerId: string): Promise<ExclusionsView> {
    const excludedCategories = await this.scores.exclusions(customerId);
    if (!excludedCategories) throw notFound('customer', customerId);
    return { customerId, excludedCategories };
  }

  async setExclusions(
    customerId: string,
    categories: string[],
    reason: 'dismissal' | 'account-manager',
    cause: Cause,
  ): Promise<ExclusionsView> {
    const excludedCategories = await this.dataSource.transaction((manager) =>
      this.exclusionsService.change(manager, customerId, () => categories, reason, cause),
    );
    return { customerId, excludedCategories };
  }
}
