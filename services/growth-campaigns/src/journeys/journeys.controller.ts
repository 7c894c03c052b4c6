import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDateString,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { Roles, type Principal } from '@crm/auth';
import { LIFECYCLE_STAGES, MEMBERSHIP_LEVELS, VALUE_LOYALTY_SEGMENTS, VALUE_TIERS } from '@crm/contracts';
import { ServiceClock } from '@crm/persistence';
import {
  AdvanceClockDto,
  CurrentPrincipal,
  invalid,
  IsTimeZone,
  ParseUuid,
  ParseVersion,
} from '@crm/service-kit';
import { JourneysService } from './journeys.service';

const JOURNEY_ID = /^[a-z0-9][a-z0-9-]{0,47}$/;

class SimulatedEventDto {
  @ApiProperty({ example: 'crm.purchase.recorded.v1' }) @IsString() @Length(1, 80) type: string;
  @ApiProperty() @IsDateString({ strict: true }) at: string;
  @ApiPropertyOptional({ description: 'Payload fields that entry, waits and goals match on' })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

class AttributesDto {
  @ApiPropertyOptional({ example: 'Asia/Shanghai', description: 'For waits until a local time of day' })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;
  @ApiPropertyOptional({ enum: VALUE_TIERS }) @IsOptional() @IsIn(VALUE_TIERS) valueTier?: string;
  @ApiPropertyOptional({ type: [String], description: 'Custom segment ids the customer is in' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { each: true, message: 'customSegments must be segment ids' })
  customSegments?: string[];
  @ApiPropertyOptional({ enum: VALUE_LOYALTY_SEGMENTS })
  @IsOptional()
  @IsIn(VALUE_LOYALTY_SEGMENTS)
  valueLoyaltySegment?: string;
  @ApiPropertyOptional({ enum: MEMBERSHIP_LEVELS })
  @IsOptional()
  @IsIn(MEMBERSHIP_LEVELS)
  membershipLevel?: string;
  @ApiPropertyOptional({ enum: LIFECYCLE_STAGES })
  @IsOptional()
  @IsIn(LIFECYCLE_STAGES)
  lifecycleStage?: string;
}

class SimulateDto {
  @ApiProperty({ format: 'uuid', description: 'Decides the holdout and variant, as for the real customer' })
  @IsUUID()
  customerId: string;
  @ApiPropertyOptional({ type: AttributesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AttributesDto)
  attributes?: AttributesDto;
  @ApiProperty({ type: [SimulatedEventDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => SimulatedEventDto)
  events: SimulatedEventDto[];
  @ApiPropertyOptional({ description: 'Fire the waits due up to this time after the last event' })
  @IsOptional()
  @IsDateString({ strict: true })
  until?: string;
}

class ReportQueryDto {
  @ApiProperty() @IsDateString({ strict: true }) from: string;
  @ApiProperty() @IsDateString({ strict: true }) to: string;
}

function journeyId(id: string): string {
  if (!JOURNEY_ID.test(id)) throw invalid('id', 'a journey id is 1 to 48 lowercase letters, digits and -');
  return id;
}

@ApiTags('journeys')
@ApiBearerAuth()
@Controller()
export class JourneysController {
  constructor(
    private readonly journeys: JourneysService,
    private readonly clock: ServiceClock,
  ) {}

  @Put('journeys/:id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Create or change a journey (a new version when it changed); 400 names each bad step',
  })
  @ApiBody({ schema: { type: 'object', description: 'A journey definition (README: Journeys)' } })
  put(@Param('id') id: string, @Body() definition: unknown, @CurrentPrincipal() principal: Principal) {
    return this.journeys.put(journeyId(id), definition, principal.sub);
  }

  @Get('journeys')
  @Roles('admin', 'analyst', 'agent')
  list() {
    return this.journeys.list();
  }

  @Get('journeys/:id')
  @Roles('admin', 'analyst', 'agent')
  get(@Param('id') id: string) {
    return this.journeys.get(journeyId(id));
  }

  @Delete('journeys/:id')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Stop entering customers; those in it finish their version' })
  async remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.journeys.remove(journeyId(id), principal.sub || 'unknown');
  }

  @Get('journeys/:id/versions')
  @Roles('admin', 'analyst', 'agent')
  @ApiOperation({ summary: 'Every version of the journey, newest first, and which one customers enter now' })
  versions(@Param('id') id: string) {
    return this.journeys.versions(journeyId(id));
  }

  @Get('journeys/:id/history')
  @Roles('admin', 'analyst')
  @ApiOperation({ summary: 'Who made which version live and when (created, activated again, removed)' })
  history(@Param('id') id: string) {
    return this.journeys.history(journeyId(id));
  }

  @Post('journeys/:id/versions/:version/activate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Roll the journey back (or forward) to a stored version; customers in another version finish it',
  })
  activate(
    @Param('id') id: string,
    @Param('version', new ParseVersion()) version: number,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.journeys.activate(journeyId(id), version, principal.sub || 'unknown');
  }

  @Post('journeys/:id/simulate')
  @HttpCode(200)
  @Roles('admin', 'analyst')
  @ApiOperation({ summary: 'The path a customer would take through events and time, with no side effects' })
  simulate(@Param('id') id: string, @Body() dto: SimulateDto) {
    return this.journeys.simulate(
      journeyId(id),
      dto.customerId,
      dto.attributes ?? {},
      dto.events.map((e) => ({ type: e.type, at: new Date(e.at), data: e.data })),
      dto.until ? new Date(dto.until) : undefined,
    );
  }

  @Get('journeys/:id/report')
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary: 'Entered, in progress, exited, converted and conversion rate (95 % interval) per variant',
  })
  report(@Param('id') id: string, @Query() query: ReportQueryDto) {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (!(from < to)) throw invalid('from', 'from must be before to');
    return this.journeys.report(journeyId(id), from, to);
  }

  @Get('customers/:customerId/journeys')
  @Roles('admin', 'analyst', 'agent')
  @ApiOperation({ summary: "The customer's journey runs with their paths" })
  runs(@Param('customerId', new ParseUuid()) customerId: string) {
    return this.journeys.runsOf(customerId);
  }

  @Post('journey-clock/advance')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Tests only (CLOCK_CONTROL): the former name of POST /campaigns/clock/advance',
    deprecated: true,
  })
  async advanceClock(@Body() dto: AdvanceClockDto) {
    if (!this.clock.controllable)
      throw new NotFoundException('this clock is not controllable here (CLOCK_CONTROL is off)');
    return { now: await this.clock.advance(dto.ms) };
  }
}
