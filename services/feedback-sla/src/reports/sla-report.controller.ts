import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { Roles } from '@crm/auth';
import { invalid } from '@crm/service-kit';
import { REPORT_GROUPS, REPORT_PERIODS, SlaReportService } from './sla-report.service';
import {
  SATISFACTION_GROUPS,
  SatisfactionReportService,
  type SatisfactionGroup,
} from './satisfaction-report';
import { IsOneOf } from '@crm/contracts';

export class SlaReportQueryDto {
  @ApiProperty({ example: '2024-05-01T00:00:00Z' }) @IsISO8601() from: string;
  @ApiProperty({ example: '2024-06-01T00:00:00Z' }) @IsISO8601() to: string;
  @ApiPropertyOptional({ enum: Object.keys(REPORT_GROUPS), default: 'tier' })
  @IsOptional()
  @IsIn(Object.keys(REPORT_GROUPS))
  groupBy?: keyof typeof REPORT_GROUPS;
  @ApiPropertyOptional({ enum: REPORT_PERIODS, default: 'all' })
  @IsOptional()
  @IsOneOf(REPORT_PERIODS)
  period?: (typeof REPORT_PERIODS)[number];
}

export class SatisfactionReportQueryDto {
  @ApiProperty({ example: '2024-05-01T00:00:00Z' }) @IsISO8601() from: string;
  @ApiProperty({ example: '2024-06-01T00:00:00Z' }) @IsISO8601() to: string;
  @ApiPropertyOptional({ enum: Object.keys(SATISFACTION_GROUPS), default: 'tier' })
  @IsOptional()
  @IsIn(Object.keys(SATISFACTION_GROUPS))
  groupBy?: SatisfactionGroup;
  @ApiPropertyOptional({ enum: REPORT_PERIODS, default: 'all' })
  @IsOptional()
  @IsOneOf(REPORT_PERIODS)
  period?: (typeof REPORT_PERIODS)[number];
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class SlaReportController {
  constructor(
    private readonly reports: SlaReportService,
    private readonly satisfaction: SatisfactionReportService,
  ) {}

  @Get('sla')
  @Roles('analyst', 'admin', 'agent')
  @ApiOperation({
    summary:
      'Share within SLA, resolution rate against its target, average times: per value tier (or type, policy, priority) and period',
  })
  sla(@Query() query: SlaReportQueryDto) {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to <= from) throw invalid('to', 'must be after from');
    return this.reports.report({ from, to, groupBy: query.groupBy ?? 'tier', period: query.period ?? 'all' });
  }

  @Get('satisfaction')
  @Roles('analyst', 'admin', 'agent')
  @ApiOperation({
    summary:
      'CSAT (mean of 1-5) and NPS (promoters minus detractors) of the surveys answered, per tier or segment and period',
  })
  satisfactionReport(@Query() query: SatisfactionReportQueryDto) {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to <= from) throw invalid('to', 'must be after from');
    return this.satisfaction.report({
      from,
      to,
      groupBy: query.groupBy ?? 'tier',
      period: query.period ?? 'all',
    });
  }
}
