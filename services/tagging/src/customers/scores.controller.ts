import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, Matches } from 'class-validator';
import { Roles } from '@crm/auth';
import { CorrelationId, ParseUuid } from '@crm/service-kit';
import { CustomerScoresView, ExclusionsView, ScoresService, StageChangeView } from './scores.service';

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
  constructor(private readonly scores: ScoresService) {}

  @Get()
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({
    summary: "A customer's RFM scores, value tier, segment, membership, lifecycle stage and tags",
  })
  @ApiOkResponse({ type: CustomerScoresView })
  view(@Param('customerId', new ParseUuid()) customerId: string): Promise<CustomerScoresView> {
    return this.scores.view(customerId);
  }

  @Get('stage-history')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'Every lifecycle stage transition, oldest first, with its cause' })
  @ApiOkResponse({ type: StageChangeView, isArray: true })
  stageHistory(@Param('customerId', new ParseUuid()) customerId: string): Promise<StageChangeView[]> {
    return this.scores.stageHistory(customerId);
  }

  @Put('manual-tags')
  @Roles('agent')
  @ApiOperation({ summary: 'Replace the manual (need) tags an account manager set' })
  @ApiOkResponse({ type: CustomerScoresView })
  setManualTags(
    @Param('customerId', new ParseUuid()) customerId: string,
    @Body() dto: ManualTagsDto,
    @CorrelationId() correlationId: string,
  ): Promise<CustomerScoresView> {
    return this.scores.setManualTags(customerId, dto.tags, { correlationId });
  }

  @Get('exclusions')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'Categories never to be offered to this customer again' })
  @ApiOkResponse({ type: ExclusionsView })
  exclusions(@Param('customerId', new ParseUuid()) customerId: string): Promise<ExclusionsView> {
    return this.scores.exclusions(customerId);
  }

  @Put('exclusions')
  @Roles('agent')
  @ApiOperation({
    summary: 'Replace the excluded categories (a dismissal, or an account manager lifting one)',
  })
  @ApiOkResponse({ type: ExclusionsView })
  setExclusions(
    @Param('customerId', new ParseUuid()) customerId: string,
    @Body() dto: ExclusionsDto,
    @CorrelationId() correlationId: string,
  ): Promise<ExclusionsView> {
    return this.scores.setExclusions(customerId, dto.categories, dto.reason ?? 'account-manager', {
      correlationId,
    });
  }
}
