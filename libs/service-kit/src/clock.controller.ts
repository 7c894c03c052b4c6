import { Body, Controller, Get, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { Roles } from '@crm/auth';
import { MAX_CLOCK_STEP_MS, ServiceClock } from '@crm/persistence';

export class AdvanceClockDto {
  @ApiProperty({
    description: 'Milliseconds to move the clock forward',
    minimum: 1,
    maximum: MAX_CLOCK_STEP_MS,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_CLOCK_STEP_MS)
  ms: number;
}

/** The service's one clock: readable by operators; movable only where CLOCK_CONTROL is on (tests, staging). */
@ApiTags('clock')
@ApiBearerAuth()
@Controller('clock')
export class ClockController {
  constructor(private readonly clock: ServiceClock) {}

  @Get()
  @Roles('admin', 'analyst')
  @ApiOperation({ summary: 'The time every timer of this service reads, and whether tests may move it' })
  async read() {
    // The stored offset itself: now minus a second reading of real time could be a millisecond short.
    const offsetMs = await this.clock.offsetMs();
    return { now: new Date(Date.now() + offsetMs), offsetMs, controllable: this.clock.controllable };
  }

  @Post('advance')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Tests only (CLOCK_CONTROL): move the clock forward; every timer looks again' })
  async advance(@Body() dto: AdvanceClockDto) {
    if (!this.clock.controllable)
      throw new NotFoundException('this clock is not controllable here (CLOCK_CONTROL is off)');
    return { now: await this.clock.advance(dto.ms) };
  }
}
