import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { Roles, type Principal } from '@crm/auth';
import { MAX_POINTS_PER_GRANT, PointsChanged, POINTS_SOURCES } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { CorrelationId, CurrentPrincipal, oneOf, ParseUuid } from '@crm/service-kit';
import {
  PointsAccountView,
  PointsEntryView,
  PointsLedger,
  PointsRuleView,
  RedemptionView,
} from './points-ledger';
import { PointsEarnings } from './points.handlers';

class RedeemPointsDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Chosen by the caller: a repeat with the same id redeems once',
  })
  @IsUUID()
  redemptionId: string;
  @ApiProperty({ minimum: 1, maximum: MAX_POINTS_PER_GRANT })
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS_PER_GRANT)
  points: number;
  @ApiProperty({ example: 'coupon:SPRING-50', description: 'What the points buy (a coupon, a benefit)' })
  @IsString()
  @Length(1, 200)
  benefit: string;
}

class EarnPointsDto {
  @ApiProperty({ format: 'uuid', description: 'Chosen by the caller: a repeat with the same id earns once' })
  @IsUUID()
  earningId: string;
  @ApiProperty({ example: 'spring open day' }) @IsString() @Length(1, 200) reason: string;
  @ApiPropertyOptional({ description: "Defaults to the activity rule's points" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS_PER_GRANT)
  points?: number;
}

class PointsRuleDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) description?: string;
  @ApiPropertyOptional({ nullable: true, description: 'Fixed points per earning' })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_POINTS_PER_GRANT)
  points?: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'Points per unit of the amount (purchases)' })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsNumber({ maxDecimalPlaces: 4, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1000)
  pointsPerUnit?: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'Days until earned points expire (none: never)' })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresAfterDays?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

const uuid = new ParseUuid();

@ApiTags('points')
@ApiBearerAuth()
@Controller()
export class PointsController {
  constructor(
    private readonly ledger: PointsLedger,
    private readonly earnings: PointsEarnings,
    private readonly outbox: OutboxPublisher,
  ) {}

  @Get('customers/:customerId/points')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: "The customer's care points: balance, the next expiry and the latest movements" })
  @ApiOkResponse({ type: PointsAccountView })
  account(@Param('customerId', uuid) customerId: string): Promise<PointsAccountView> {
    return this.ledger.account(customerId);
  }

  @Post('customers/:customerId/points/redemptions')
  @Roles('agent', 'integration')
  @ApiOperation({
    summary:
      'Redeem points for a coupon or benefit; idempotent by redemptionId; never below zero (409 naming points)',
  })
  @ApiOkResponse({ type: RedemptionView })
  redeem(
    @Param('customerId', uuid) customerId: string,
    @Body() dto: RedeemPointsDto,
    @CorrelationId() correlationId: string,
  ): Promise<RedemptionView> {
    return this.ledger.redeem(customerId, dto.redemptionId, dto.points, dto.benefit, (manager, movement) =>
      this.outbox.publish(manager, PointsChanged, movement, { subject: customerId, correlationId }),
    );
  }

  @Post('customers/:customerId/points/earnings')
  @Roles('agent', 'integration')
  @ApiOperation({
    summary: 'Credit points for taking part in an activity (the activity rule); idempotent by earningId',
  })
  @ApiOkResponse({ type: PointsEntryView })
  earn(
    @Param('customerId', uuid) customerId: string,
    @Body() dto: EarnPointsDto,
    @CorrelationId() correlationId: string,
  ): Promise<PointsEntryView> {
    return this.earnings.activity(customerId, dto.earningId, dto.reason, dto.points, correlationId);
  }

  @Get('points-rules')
  @Roles('admin', 'analyst', 'agent')
  @ApiOperation({
    summary: 'The earning rules: what a purchase, a survey answer, a referral, an activity earn',
  })
  @ApiOkResponse({ type: PointsRuleView, isArray: true })
  rules(): Promise<PointsRuleView[]> {
    return this.ledger.rules();
  }

  @Put('points-rules/:source')
  @Roles('admin')
  @ApiOperation({ summary: 'Change an earning rule; it applies to what is earned from now on' })
  @ApiOkResponse({ type: PointsRuleView })
  updateRule(
    @Param('source') value: string,
    @Body() dto: PointsRuleDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PointsRuleView> {
    return this.ledger.updateRule(oneOf('source', POINTS_SOURCES, value), dto, principal.sub || 'unknown');
  }
}
