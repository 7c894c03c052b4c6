import { Body, Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { Roles } from '@crm/auth';
import { CorrelationId, notFound } from '@crm/service-kit';
import { RescoringService } from './rescoring.service';

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
}
