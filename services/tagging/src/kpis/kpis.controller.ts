import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNumber, IsOptional, IsString, Length, Matches } from 'class-validator';
import { Roles } from '@crm/auth';
import { ServiceClock } from '@crm/persistence';
import { calendarDate, invalid, ParseSlug, toCsv } from '@crm/service-kit';
import { JourneyMapService } from './journey-map';
import { METRICS } from './kpi-metrics';
import { GoalView, KpisService, MetricResult } from './kpis.service';

const SEGMENT_DOC =
  'all (default), tier:<tier>, value-loyalty:<segment>, stage:<stage> or segment:<custom segment id>; members as of now';

export class PeriodQueryDto {
  @ApiPropertyOptional({ description: SEGMENT_DOC })
  @IsOptional()
  @IsString()
  @Length(1, 80)
  segment?: string;
  @ApiPropertyOptional({ description: 'Start (inclusive); 30 days before `to` by default' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional({ description: 'End (exclusive); now by default' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?:
    'json' | 'csv';
}

export class ReportQueryDto {
  @ApiProperty({ example: '2026-11' })
  @Matches(/^\d{4}-\d{2}$/, { message: 'month must be YYYY-MM' })
  month: string;
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?:
    'json' | 'csv';
}

export class GoalDto {
  @ApiProperty({ example: 'CSAT of core customers' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ enum: METRICS.map((m) => m.id) }) @IsIn(METRICS.map((m) => m.id)) metric: string;
  @ApiProperty({ description: SEGMENT_DOC, example: 'value-loyalty:core' })
  @IsString()
  @Length(1, 80)
  segment: string;
  @ApiProperty({ example: 4.1 }) @IsNumber({ allowNaN: false, allowInfinity: false }) baseline: number;
  @ApiProperty({ example: 4.5 }) @IsNumber({ allowNaN: false, allowInfinity: false }) target: number;
  @ApiProperty({ example: 'head-of-service' })
  @Matches(/^[A-Za-z0-9._@-]{1,64}$/, {
    message: 'owner must be 1-64 letters, digits, dots, dashes, underscores or @',
  })
  owner: string;
  @ApiProperty({ example: '2027-03-31' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'reviewOn must be YYYY-MM-DD' })
  reviewOn: string;
  @ApiPropertyOptional({ description: 'Why the value is where it is, and what is being done' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  gapNote?: string;
}

const DAY = 86_400_000;
const MAX_PERIOD_DAYS = 366 * 5;

function csvFile(name: string, text: string): StreamableFile {
  return new StreamableFile(Buffer.from(text, 'utf8'), {
    type: 'text/csv; charset=utf-8',
    disposition: `attachment; filename="${name}.csv"`,
  });
}

@ApiTags('kpis')
@ApiBearerAuth()
@Controller()
export class KpisController {
  constructor(
    private readonly kpis: KpisService,
    private readonly journeyMap: JourneyMapService,
    private readonly clock: ServiceClock,
  ) {}

  @Get('kpis/definitions')
  @Roles('analyst', 'agent')
  @ApiOperation({ summary: "Every metric's definition, unit and the handbook's target" })
  definitions() {
    return METRICS.map(({ id, name, unit, target, lower, definition }) => ({
      id,
      name,
      unit,
      target: target ?? null,
      better: lower ? 'lower' : 'higher',
      definition,
    }));
  }

  @Get('kpis')
  @Roles('analyst', 'agent')
  @ApiOperation({
    summary: 'Every metric for a segment (or everyone) between two dates; CSV with format=csv',
  })
  @ApiOkResponse({ type: [MetricResult] })
  async all(@Query() query: PeriodQueryDto) {
    const { segment, from, to } = await this.period(query);
    const metrics = await this.kpis.all(segment, from, to);
    if (query.format !== 'csv') return { segment, from: from.toISOString(), to: to.toISOString(), metrics };
    return csvFile(
      `kpis-${segment.replace(/[^a-z0-9-]/g, '_')}`,
      toCsv(
        ['metric', 'name', 'unit', 'value', 'sample', 'target', 'meets_target', 'from', 'to', 'segment'],
        metrics.map((m) => [
          m.metric,
          m.name,
          m.unit,
          m.value,
          m.sample,
          m.target,
          m.meetsTarget,
          from.toISOString(),
          to.toISOString(),
          segment,
        ]),
      ),
    );
  }

  @Get('kpis/report')
  @Roles('analyst', 'agent')
  @ApiOperation({ summary: 'The monthly report: every goal in the month and the month before (JSON or CSV)' })
  async report(@Query() query: ReportQueryDto) {
    const report = await this.kpis.monthlyReport(query.month);
    if (query.format !== 'csv') return report;
    return csvFile(
      `kpi-report-${query.month}`,
      toCsv(
        [
          'month',
          'goal',
          'name',
          'metric',
          'segment',
          'owner',
          'baseline',
          'target',
          'before',
          'after',
          'change',
          'achievement_pct',
          'review_on',
          'gap_note',
        ],
        report.goals.map((g) => [
          report.month,
          g.goal,
          g.name,
          g.metric,
          g.segment,
          g.owner,
          g.baseline,
          g.target,
          g.before,
          g.after,
          g.change,
          g.achievement,
          g.reviewOn,
          g.gapNote,
        ]),
      ),
    );
  }

  @Get('goals')
  @Roles('analyst', 'agent')
  @ApiOperation({ summary: 'The goals, each with its current value (last 30 days), achievement and gap' })
  @ApiOkResponse({ type: [GoalView] })
  goals() {
    return this.kpis.goals();
  }

  @Get('goals/:id')
  @Roles('analyst', 'agent')
  @ApiOkResponse({ type: GoalView })
  goal(@Param('id', new ParseSlug()) id: string) {
    return this.kpis.goal(id);
  }

  @Put('goals/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Set a goal: metric, segment, baseline, target, owner, review date, gap note' })
  @ApiOkResponse({ type: GoalView })
  putGoal(@Param('id', new ParseSlug()) id: string, @Body() dto: GoalDto) {
    return this.kpis.putGoal(id, {
      name: dto.name,
      metric: dto.metric,
      segment: dto.segment,
      baseline: dto.baseline,
      target: dto.target,
      owner: dto.owner,
      review_on: calendarDate('reviewOn', dto.reviewOn).toISOString().slice(0, 10),
      gap_note: dto.gapNote ?? null,
    });
  }

  @Delete('goals/:id')
  @HttpCode(204)
  @Roles('admin')
  async deleteGoal(@Param('id', new ParseSlug()) id: string) {
    await this.kpis.deleteGoal(id);
  }

  @Get('journey-map')
  @Roles('analyst', 'agent')
  @ApiOperation({
    summary:
      'Stage moves, conversion and drop-off per stage pair, time in each stage and the growth funnel, between two dates',
  })
  async map(@Query() query: PeriodQueryDto) {
    const { segment, from, to } = await this.period(query);
    return this.journeyMap.map(segment, from, to);
  }

  private async period(query: PeriodQueryDto): Promise<{ segment: string; from: Date; to: Date }> {
    const to = query.to ? new Date(query.to) : await this.clock.now();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY);
    if (Number.isNaN(to.getTime())) throw invalid('to', 'must be a date-time');
    if (Number.isNaN(from.getTime())) throw invalid('from', 'must be a date-time');
    if (from >= to) throw invalid('from', 'must be before to');
    if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY)
      throw invalid('from', `the period is at most ${MAX_PERIOD_DAYS} days`);
    return { segment: query.segment ?? 'all', from, to };
  }
}
