import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Length } from 'class-validator';
import { Roles, type Principal } from '@crm/auth';
import { MEMBERSHIP_LEVELS } from '@crm/contracts';
import { CurrentPrincipal, notFound, oneOf, ParseUuid } from '@crm/service-kit';
import { CustomerScoresRepository } from '../customers/customer-scores.repository';
import type { CustomerFacts } from '../scoring/classify';
import { nextLevel, type Requirement } from '../scoring/membership-progress';
import type { RuleConditions } from '../scoring/rule-set';
import { RuleBook } from '../scoring/rule-book';
import { MembershipPrivileges } from './membership-privileges';

class PrivilegesDto {
  @ApiProperty({ type: [String], example: ['priority service', 'a birthday coupon'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  privileges: string[];
}

class RequirementView {
  @ApiProperty({ enum: ['spend12m', 'purchases12m'] }) fact: string;
  @ApiProperty() have: number;
  @ApiProperty() need: number;
  @ApiProperty({ description: 'What is missing (0 when met)' }) gap: number;
}

class NextLevelView {
  @ApiProperty({ enum: MEMBERSHIP_LEVELS }) level: string;
  @ApiProperty({ type: [String] }) privileges: string[];
  @ApiProperty({ type: [RequirementView] }) requirements: Requirement[];
  @ApiProperty({ type: [String] }) otherConditions: string[];
}

class CustomerMembershipView {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ enum: MEMBERSHIP_LEVELS }) level: string;
  @ApiProperty({ type: [String] }) privileges: string[];
  @ApiPropertyOptional({ type: NextLevelView, nullable: true, description: 'None at the top level' })
  next: NextLevelView | null;
  @ApiProperty({ description: 'The facts are those of the last scoring' }) scoredAt: Date;
}

class MembershipLevelView {
  @ApiProperty({ enum: MEMBERSHIP_LEVELS }) level: string;
  @ApiProperty({ type: [String] }) privileges: string[];
  @ApiProperty({
    description: 'The rules that grant the level (any one suffices)',
    type: 'array',
    items: { type: 'object' },
  })
  rules: RuleConditions[];
  @ApiProperty() updatedAt: Date;
  @ApiProperty() updatedBy: string;
}

/** The membership program: levels, what each takes and gives, and where a customer stands. */
@ApiTags('membership')
@ApiBearerAuth()
@Controller()
export class MembershipController {
  constructor(
    private readonly privileges: MembershipPrivileges,
    private readonly scores: CustomerScoresRepository,
    private readonly book: RuleBook,
  ) {}

  @Get('membership-levels')
  @Roles('admin', 'analyst', 'agent')
  @ApiOperation({ summary: 'Each membership level: the rules that grant it and its privileges' })
  @ApiOkResponse({ type: MembershipLevelView, isArray: true })
  async levels(): Promise<MembershipLevelView[]> {
    return (await this.privileges.all()).map((p) => ({
      ...p,
      rules: this.book.rules.membership.filter((r) => r.level === p.level).map((r) => r.when),
    }));
  }

  @Put('membership-levels/:level')
  @Roles('admin')
  @ApiOperation({ summary: "Set a level's privileges (the next membership change carries them)" })
  @ApiOkResponse({ type: MembershipLevelView })
  async put(
    @Param('level') value: string,
    @Body() dto: PrivilegesDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<MembershipLevelView> {
    const saved = await this.privileges.put(
      oneOf('level', MEMBERSHIP_LEVELS, value),
      dto.privileges,
      principal.sub || 'unknown',
    );
    return {
      ...saved,
      rules: this.book.rules.membership.filter((r) => r.level === saved.level).map((r) => r.when),
    };
  }

  @Get('customers/:customerId/membership')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: "The customer's level and privileges, and what the next level takes and gives" })
  @ApiOkResponse({ type: CustomerMembershipView })
  async customer(@Param('customerId', new ParseUuid()) customerId: string): Promise<CustomerMembershipView> {
    const row = await this.scores.scores(customerId);
    if (!row) throw notFound('scored customer', customerId);
    const byLevel = await this.privileges.byLevel();
    const facts: CustomerFacts = {
      asOf: row.scored_at,
      relationshipStartedAt: null,
      spend12m: Number(row.spend_12m),
      purchases12m: row.purchases_12m,
      lifetimePurchases: row.lifetime_purchases,
      lastPurchaseAt: row.last_purchase_at,
      categorySpend: {},
      manualTags: [],
    };
    const next = nextLevel(this.book.rules, facts, row.membership_level);
    return {
      customerId,
      level: row.membership_level,
      privileges: byLevel[row.membership_level] ?? [],
      next: next ? { ...next, privileges: byLevel[next.level] ?? [] } : null,
      scoredAt: row.scored_at,
    };
  }
}
