import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Roles, type Principal } from '@crm/auth';
import { CurrentPrincipal, ParsePattern } from '@crm/service-kit';
import { RULES_VERSION } from './rule-set';
import { RuleSetsService } from './rule-sets.service';

/** A rule-set version in a route; a 400 names it. */
const ParseRulesVersion = () =>
  new ParsePattern(RULES_VERSION, '1-64 letters, digits, dots, dashes or underscores');

export class PreviewQueryDto {
  @ApiPropertyOptional({ description: 'Changed customers to show with the why (0-100, default 20)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100)
  sample?: number;

  @ApiPropertyOptional({ description: 'Evaluate as of this date (defaults to now)' })
  @IsOptional()
  @IsISO8601()
  asOf?: string;
}

export class ProposeQueryDto {
  @ApiPropertyOptional({ description: 'What the version changes and why' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class RuleSetChangeDto {
  @ApiPropertyOptional({ description: 'Why (kept in the audit trail and the event)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

const RULE_SET_BODY = {
  schema: {
    type: 'object',
    description: 'A scoring rule set (docs/domain-rules.md; services/tagging/src/scoring/default-rules.json)',
  },
};

/**
 * Scoring rules changed while the platform runs: validate, propose, preview, activate, roll back. Every
 * score names the version that produced it (`rulesVersion`), and so do the scoring events.
 */
@ApiTags('rule-sets')
@ApiBearerAuth()
@Controller('rule-sets')
export class RuleSetsController {
  constructor(private readonly ruleSets: RuleSetsService) {}

  @Get()
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary: 'Every rule-set version, newest first, with its status (proposed, active, retired)',
  })
  list() {
    return this.ruleSets.list();
  }

  @Get('active')
  @Roles('admin', 'analyst', 'agent')
  @ApiOperation({ summary: 'The active rule set, in full' })
  active() {
    return this.ruleSets.active();
  }

  @Get('history')
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary: 'Activations and rollbacks, newest first: who, why, and the sweep that applied each',
  })
  history() {
    return this.ruleSets.history();
  }

  @Get(':version')
  @Roles('admin', 'analyst')
  get(@Param('version', ParseRulesVersion()) version: string) {
    return this.ruleSets.get(version);
  }

  @Post('validate')
  @HttpCode(200)
  @Roles('admin', 'analyst')
  @ApiOperation({ summary: 'Check a rule set without storing it; 400 names each bad rule' })
  @ApiBody(RULE_SET_BODY)
  validate(@Body() body: unknown) {
    const rules = this.ruleSets.validate(body);
    return { valid: true, version: rules.version };
  }

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary: 'Propose a rule-set version (stored, not active); the same version and rules again is a no-op',
  })
  @ApiBody(RULE_SET_BODY)
  propose(@Body() body: unknown, @Query() query: ProposeQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.ruleSets.propose(body, principal.sub || 'unknown', query.note);
  }

  @Post('preview')
  @HttpCode(200)
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary: 'What a rule set given inline would change against the active one (nothing is stored)',
  })
  @ApiBody(RULE_SET_BODY)
  previewInline(@Body() body: unknown, @Query() query: PreviewQueryDto) {
    const rules = this.ruleSets.validate(body);
    return this.ruleSets.preview(rules, query.sample ?? 20, query.asOf ? new Date(query.asOf) : undefined);
  }

  @Post(':version/preview')
  @HttpCode(200)
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary:
      'What a stored version would change against the active one: customers moving tier, segment, stage and level, with a sample and the why',
  })
  async preview(@Param('version', ParseRulesVersion()) version: string, @Query() query: PreviewQueryDto) {
    const rules = await this.ruleSets.storedRules(version);
    return this.ruleSets.preview(rules, query.sample ?? 20, query.asOf ? new Date(query.asOf) : undefined);
  }

  @Post(':version/activate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Make a stored version active; a sweep re-scores everyone with it (sweepRunId)' })
  activate(
    @Param('version', ParseRulesVersion()) version: string,
    @Body() dto: RuleSetChangeDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.ruleSets.activate(version, principal.sub || 'unknown', dto.reason);
  }

  @Post('rollback')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Back to the version active before the current one; a sweep re-scores everyone with it',
  })
  rollback(@Body() dto: RuleSetChangeDto, @CurrentPrincipal() principal: Principal) {
    return this.ruleSets.rollback(principal.sub || 'unknown', dto.reason);
  }
}
