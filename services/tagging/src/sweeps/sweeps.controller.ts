import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { Roles } from '@crm/auth';
import { CorrelationId, invalid, notFound, ParseUuid } from '@crm/service-kit';
import { ServiceClock } from '@crm/persistence';
import { TaggingConfig } from '../tagging.config';
import { SweepService } from './sweep.service';

export class RunSweepDto {
  @ApiPropertyOptional({ description: 'Apply what time changes as of this date (defaults to now)' })
  @IsOptional()
  @IsISO8601()
  asOf?: string;

  @ApiPropertyOptional({
    enum: ['due', 'everyone'],
    description:
      'due (default): only customers whose scores time could have moved since they were last scored; everyone: all',
  })
  @IsOptional()
  @IsIn(['due', 'everyone'])
  review?: 'due' | 'everyone';
}

@ApiTags('sweeps')
@ApiBearerAuth()
@Controller('sweeps')
export class SweepsController {
  constructor(
    private readonly sweeps: SweepService,
    private readonly config: TaggingConfig,
    private readonly clock: ServiceClock,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Run the sweep now, optionally as of a date; safe to re-run' })
  async run(@Body() dto: RunSweepDto, @CorrelationId() correlationId: string) {
    const now = await this.clock.now();
    const asOf = dto.asOf ? new Date(dto.asOf) : now;
    // A sweep applies what time has done; the future has not happened (a minute of clock skew is allowed).
    if (asOf.getTime() > now.getTime() + 60_000 && !this.config.TAGGING_ALLOW_FUTURE_SWEEPS)
      throw invalid('asOf', 'must not be in the future');
    return this.sweeps.run({
      trigger: 'on-demand',
      asOf,
      correlationId,
      review: dto.review,
    });
  }

  @Get()
  @Roles('admin', 'analyst')
  recent() {
    return this.sweeps.recent();
  }

  @Get(':id')
  @Roles('admin', 'analyst')
  async get(@Param('id', new ParseUuid()) id: string) {
    const run = await this.sweeps.get(id).catch(() => undefined);
    if (!run) throw notFound('sweep run', id);
    return run;
  }
}
