import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { Roles } from '@crm/auth';
import { CorrelationId, notFound } from '@crm/service-kit';
import { ExclusionsService } from '../preferences/exclusions.service';
import { predict } from '../scoring/classify';
import type { ScoringRuleSet } from '../scoring/rule-set';
import { SCORING_RULES } from '../scoring/rules.provider';
import { RescoringService } from './rescoring.service';

export class ExclusionsDto {
  @ApiProperty({ example: ['valves'] })
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(/^[A-Za-z0-9 ._-]{1,64}$/, {
    each: true,
    message: 'each category must be 1-64 letters, digits, spaces, dots, dashes or underscores',
  })
  categories: string[];
  @ApiPropertyOptional({ enum: ['dismissal', 'account-manager'], default: 'account-manager' })
  @IsOptional()
  @IsIn(['dismissal', 'account-manager'])
  reason?: 'dismissal' | 'account-manager';
}

export class ManualTagsDto {
  @ApiProperty({ example: ['decision-maker', 'supply-chain-optimisation'] })
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(/^[a-z0-9][a-z0-9:._-]{0,63}$/, {
    each: true,
    message: 'each tag must be 1-64 lowercase letters, digits, colons, dots, dashes or underscores',
  })
  tags: string[];
}

@ApiTags('scores')
@ApiBearerAuth()
@Controller('customers/:customerId')
export class ScoresController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rescoring: RescoringService,
    private readonly exclusions: ExclusionsService,
    @Inject(SCORING_RULES) private readonly rules: ScoringRuleSet,
  ) {}

  @Get()
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({
    summary: "A customer's RFM scores, value tier, segment, membership, lifecycle stage and tags",
  })
  async scores(@Param('customerId', new ParseUUIDPipe()) customerId: string) {
    const [row] = await this.dataSource.query('SELECT * FROM customer_scores WHERE customer_id = $1', [
      customerId,
    ]);
    if (!row) throw notFound('scored customer', customerId);
    const [customer] = await this.dataSource.query(
      'SELECT excluded_categories FROM customers WHERE customer_id = $1',
      [customerId],
    );
    const latest: { kind: string; score: number; sentiment: string; answered_at: Date }[] =
      await this.dataSource.query(
        `SELECT DISTINCT ON (kind) kind, score, sentiment, answered_at FROM satisfaction_facts
        WHERE customer_id = $1 ORDER BY kind, answered_at DESC`,
        [customerId],
      );
    const satisfaction = Object.fromEntries(
      ['nps', 'csat'].map((kind) => {
        const fact = latest.find((l) => l.kind === kind);
        return [
          kind,
          fact ? { score: fact.score, sentiment: fact.sentiment, answeredAt: fact.answered_at } : null,
        ];
      }),
    );
    return {
      customerId,
      rfm: { recency: row.recency, frequency: row.frequency, monetary: row.monetary },
      valueTier: row.value_tier,
      valueLoyaltySegment: row.value_loyalty_segment,
      membershipLevel: row.membership_level,
      lifecycleStage: row.lifecycle_stage,
      tags: row.tags,
      facts: {
        spend12m: Number(row.spend_12m),
        purchases12m: row.purchases_12m,
        lifetimePurchases: row.lifetime_purchases,
        lastPurchaseAt: row.last_purchase_at,
      },
      satisfaction,
      prediction: predict(
        {
          asOf: new Date(),
          relationshipStartedAt: null,
          spend12m: Number(row.spend_12m),
          purchases12m: row.purchases_12m,
          lifetimePurchases: row.lifetime_purchases,
          lastPurchaseAt: row.last_purchase_at,
          firstPurchaseAt: row.first_purchase_at,
          categorySpend: {},
          manualTags: [],
        },
        this.rules,
      ),
      excludedCategories: customer?.excluded_categories ?? [],
      rulesVersion: row.rules_version,
      scoredAt: row.scored_at,
      causedByEventId: row.caused_by_event_id,
    };
  }

  @Get('stage-history')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'Every lifecycle stage transition, oldest first, with its cause' })
  async stageHistory(@Param('customerId', new ParseUUIDPipe()) customerId: string) {
    const rows = await this.dataSource.query(
      'SELECT * FROM stage_history WHERE customer_id = $1 ORDER BY id',
      [customerId],
    );
    if (rows.length === 0) throw notFound('stage history of customer', customerId);
    return rows.map((r: Record<string, unknown>) => ({
      previousStage: r.previous_stage,
      stage: r.stage,
      reactivated: r.reactivated,
      causedByEventId: r.caused_by_event_id,
      sweepRunId: r.sweep_run_id,
      changedAt: r.changed_at,
    }));
  }

  @Put('manual-tags')
  @Roles('agent')
  @ApiOperation({ summary: 'Replace the manual (need) tags an account manager set' })
  async setManualTags(
    @Param('customerId', new ParseUUIDPipe()) customerId: string,
    @Body() dto: ManualTagsDto,
    @CorrelationId() correlationId: string,
  ) {
    await this.dataSource.transaction(async (manager) => {
      const updated = await manager.query(
        'UPDATE customers SET manual_tags = $2, updated_at = now() WHERE customer_id = $1 RETURNING customer_id',
        [customerId, dto.tags],
      );
      if (updated[0].length === 0) throw notFound('customer', customerId);
      await this.rescoring.rescore(manager, customerId, { correlationId });
    });
    return this.scores(customerId);
  }

  @Get('exclusions')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'Categories never to be offered to this customer again' })
  async getExclusions(@Param('customerId', new ParseUUIDPipe()) customerId: string) {
    const [row] = await this.dataSource.query(
      'SELECT excluded_categories FROM customers WHERE customer_id = $1',
      [customerId],
    );
    if (!row) throw notFound('customer', customerId);
    return { customerId, excludedCategories: row.excluded_categories };
  }

  @Put('exclusions')
  @Roles('agent')
  @ApiOperation({
    summary: 'Replace the excluded categories (a dismissal, or an account manager lifting one)',
  })
  async setExclusions(
    @Param('customerId', new ParseUUIDPipe()) customerId: string,
    @Body() dto: ExclusionsDto,
    @CorrelationId() correlationId: string,
  ) {
    const excludedCategories = await this.dataSource.transaction((manager) =>
      this.exclusions.change(manager, customerId, () => dto.categories, dto.reason ?? 'account-manager', {
        correlationId,
      }),
    );
    return { customerId, excludedCategories };
  }
}
