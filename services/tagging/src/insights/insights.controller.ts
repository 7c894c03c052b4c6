import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { Roles } from '@crm/auth';
import { invalid } from '@crm/service-kit';
import { INSIGHT_GROUPS, InsightsService, type InsightGroup } from './insights.service';
import { IsOneOf } from '@crm/contracts';

export class InsightsQueryDto {
  @ApiPropertyOptional({ enum: INSIGHT_GROUPS, default: 'tier' })
  @IsOptional()
  @IsOneOf(INSIGHT_GROUPS)
  groupBy?: InsightGroup;
  @ApiPropertyOptional({ description: 'Measure as of this date (default now)' })
  @IsOptional()
  @IsISO8601()
  at?: string;
  @ApiPropertyOptional({ description: 'A second date to compare with (before / after)' })
  @IsOptional()
  @IsISO8601()
  compareTo?: string;
}

@ApiTags('insights')
@ApiBearerAuth()
@Controller('insights')
export class InsightsController {
  constructor(private readonly insights: InsightsService) {}

  @Get()
  @Roles('analyst', 'admin')
  @ApiOperation({
    summary:
      'Per value tier, value-loyalty or custom segment: members, repurchase rate, churn rate, average and total spend, NPS; optionally against a second date',
  })
  get(@Query() query: InsightsQueryDto) {
    const at = query.at ? new Date(query.at) : new Date();
    const compareTo = query.compareTo ? new Date(query.compareTo) : undefined;
    if (compareTo && compareTo.getTime() === at.getTime()) throw invalid('compareTo', 'must differ from at');
    return this.insights.compare(query.groupBy ?? 'tier', at, compareTo);
  }
}
