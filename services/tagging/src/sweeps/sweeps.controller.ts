import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { Roles } from '@crm/auth';
import { CorrelationId, notFound } from '@crm/service-kit';
import { SweepService } from './sweep.service';

export class RunSweepDto {
  @ApiPropertyOptional({ description: 'Apply what time changes as of this date (defaults to now)' })
  @IsOptional()
  @IsISO8601()
  asOf?: string;
}

@ApiTags('sweeps')
@ApiBearerAuth()
@Controller('sweeps')
export class SweepsController {
  constructor(private readonly sweeps: SweepService) {}

  @Post()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Run the sweep now, optionally as of a date; safe to re-run' })
  run(@Body() dto: RunSweepDto, @CorrelationId() correlationId: string) {
    return this.sweeps.run({
      trigger: 'on-demand',
      asOf: dto.asOf ? new Date(dto.asOf) : undefined,
      correlationId,
    });
  }

  @Get()
  @Roles('admin', 'analyst')
  recent() {
    return this.sweeps.recent();
  }

  @Get(':id')
  @Roles('admin', 'analyst')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const run = await this.sweeps.get(id).catch(() => undefined);
    if (!run) throw notFound('sweep run', id);
    return run;
  }
}
