import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { Roles } from '@crm/auth';
import { ServiceClock } from '@crm/persistence';
import { CorrelationId, LimitQueryDto, ParseSlug, ParseUuid } from '@crm/service-kit';
import { SegmentsService } from './segments.service';

export class SegmentExpressionDto {
  @ApiProperty({ example: "purchases(90d) >= 2 and not bought('valves')" })
  @IsString()
  @MaxLength(2000)
  expression: string;
  @ApiPropertyOptional({ description: 'Evaluate as of this date; defaults to now' })
  @IsOptional()
  @IsISO8601()
  asOf?: string;
}

export class DefineSegmentDto {
  @ApiProperty({ enum: ['dynamic', 'static'] }) @IsIn(['dynamic', 'static']) kind: 'dynamic' | 'static';
  @ApiPropertyOptional({
    description: 'Required for a dynamic segment: the condition (see README, "Segments")',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  expression?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) description?: string;
}

export class StaticListDto {
  @ApiProperty({ description: 'The customers on the list (replaces the previous upload)' })
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsUUID('all', { each: true })
  customerIds: string[];
}

export class MembersQueryDto extends LimitQueryDto {
  @ApiPropertyOptional({ description: 'Customer id to continue after (from `next`)' })
  @IsOptional()
  @IsUUID()
  after?: string;
}

export class AsOfQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsISO8601() asOf?: string;
}

@ApiTags('segments')
@ApiBearerAuth()
@Controller()
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly clock: ServiceClock,
  ) {}

  @Post('segments/preview')
  @Roles('analyst', 'agent', 'admin')
  @ApiOperation({
    summary:
      'Count and sample the customers a condition matches, before saving it; 400 names the position of a mistake',
  })
  async preview(@Body() dto: SegmentExpressionDto) {
    return this.segments.preview(dto.expression, dto.asOf ? new Date(dto.asOf) : await this.clock.now());
  }

  @Get('segments')
  @Roles('analyst', 'agent', 'admin')
  list() {
    return this.segments.all();
  }

  @Put('segments/:id')
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary:
      'Define a dynamic or static segment; membership is evaluated in the background, a run read at GET /tagging/sweeps/:id',
  })
  async define(
    @Param('id', new ParseSlug()) id: string,
    @Body() dto: DefineSegmentDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.segments.define(id, dto.kind, dto.expression, dto.description ?? '', correlationId);
  }

  @Put('segments/:id/members')
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary:
      'Upload the list of a static segment (replaces it); entries and exits follow in a background run',
  })
  async uploadList(
    @Param('id', new ParseSlug()) id: string,
    @Body() dto: StaticListDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.segments.uploadList(id, dto.customerIds, correlationId);
  }

  @Get('segments/:id')
  @Roles('analyst', 'agent', 'admin')
  @ApiOperation({
    summary: 'A segment: its definition, version and status (a suspended one names the reason)',
  })
  get(@Param('id', new ParseSlug()) id: string) {
    return this.segments.view(id);
  }

  @Delete('segments/:id')
  @Roles('admin', 'analyst')
  @ApiOperation({ summary: "Delete a segment; each member's exit is recorded and published" })
  remove(@Param('id', new ParseSlug()) id: string, @CorrelationId() correlationId: string) {
    return this.segments.remove(id, correlationId);
  }

  @Get('segments/:id/members')
  @Roles('analyst', 'agent', 'admin', 'integration')
  members(@Param('id', new ParseSlug()) id: string, @Query() query: MembersQueryDto) {
    return this.segments.members(id, query.limit ?? 100, query.after);
  }

  @Get('segments/:id/why/:customerId')
  @Roles('analyst', 'agent', 'admin')
  @ApiOperation({
    summary:
      'Why a customer is (or is not) in a segment: the conditions, the facts they matched, and the cause of the entry',
  })
  async why(
    @Param('id', new ParseSlug()) id: string,
    @Param('customerId', new ParseUuid()) customerId: string,
    @Query() query: AsOfQueryDto,
  ) {
    return this.segments.why(id, customerId, query.asOf ? new Date(query.asOf) : await this.clock.now());
  }

  @Get('customers/:customerId/segments')
  @Roles('analyst', 'agent', 'admin', 'integration')
  ofCustomer(@Param('customerId', new ParseUuid()) customerId: string) {
    return this.segments.ofCustomer(customerId);
  }
}
