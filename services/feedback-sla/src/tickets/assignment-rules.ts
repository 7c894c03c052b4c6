import { Body, Controller, Delete, Get, HttpCode, Injectable, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { DataSource } from 'typeorm';
import { Roles } from '@crm/auth';
import { IsOneOf, TICKET_TYPES } from '@crm/contracts';
import { execute, queryOne, queryRows, type Queryable } from '@crm/persistence';
import { notFound, ParseSlug } from '@crm/service-kit';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export class AssignmentMatchDto {
  @ApiPropertyOptional({ enum: TICKET_TYPES }) @IsOptional() @IsOneOf(TICKET_TYPES) type?: string;
  @ApiPropertyOptional({ example: 'high-value' })
  @IsOptional()
  @Matches(/^[a-z-]{1,32}$/, { message: 'match.tier must be a value tier such as high-value' })
  tier?: string;
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsOneOf(PRIORITIES) priority?: string;
  @ApiPropertyOptional({ example: 'valves', description: "The ticket's product category" })
  @IsOptional()
  @Matches(/^[A-Za-z0-9 ._-]{1,64}$/, { message: 'match.category must be a product category' })
  category?: string;
}

export class AssignmentRuleDto {
  @ApiProperty({ description: 'Rules are tried in this order (then by id); the first that matches assigns' })
  @IsInt()
  @Min(0)
  @Max(10_000)
  position: number;
  @ApiProperty({
    type: AssignmentMatchDto,
    description: 'What a new ticket must be; an absent field matches any',
  })
  @ValidateNested()
  @Type(() => AssignmentMatchDto)
  match: AssignmentMatchDto;
  @ApiProperty({
    example: ['agent-1', 'agent-2'],
    description: 'The pool: the one with the fewest open tickets takes it',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  owners: string[];
  @ApiPropertyOptional({
    example: ['valves', 'zh-CN'],
    description:
      'Skills the owner needs (PUT /feedback/staff/:id); owners of the pool without them are passed over',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[A-Za-z0-9 ._-]{1,64}$/, {
    each: true,
    message: 'each skill must be 1-64 letters, digits, spaces, dots, dashes or underscores',
  })
  skills?: string[];
}

interface RuleRow {
  id: string;
  position: number;
  ticket_type: string | null;
  customer_tier: string | null;
  priority: string | null;
  category: string | null;
  owners: string[];
  skills: string[];
}

const view = (r: RuleRow) => ({
  id: r.id,
  position: r.position,
  match: {
    ...(r.ticket_type ? { type: r.ticket_type } : {}),
    ...(r.customer_tier ? { tier: r.customer_tier } : {}),
    ...(r.priority ? { priority: r.priority } : {}),
    ...(r.category ? { category: r.category } : {}),
  },
  owners: r.owners,
  skills: r.skills,
});

/**
 * Automatic assignment, as data: a new ticket opened without an owner goes to the first rule that matches its
 * type, the customer's tier, its priority and its category and has an owner with the rule's skills, and within
 * the rule's pool to such an owner with the fewest open tickets (load), ties by the pool's order.
 */
@Injectable()
export class AssignmentRules {
  constructor(private readonly dataSource: DataSource) {}

  async pick(
    db: Queryable,
    ticket: { type: string; tier: string | null; priority: string; category?: string | null },
  ): Promise<{ owner: string; ruleId: string } | undefined> {
    const picked = await queryOne<{ owner: string; rule_id: string }>(
      db,
      `SELECT r.id AS rule_id, o.owner
         FROM assignment_rules r
        CROSS JOIN LATERAL unnest(r.owners) WITH ORDINALITY AS o(owner, n)
         LEFT JOIN staff s ON s.id = o.owner
        WHERE (r.ticket_type IS NULL OR r.ticket_type = $1) AND (r.customer_tier IS NULL OR r.customer_tier = $2)
          AND (r.priority IS NULL OR r.priority = $3) AND (r.category IS NULL OR r.category = $4)
          AND coalesce(s.skills, '{}') @> r.skills
        ORDER BY r.position, r.id,
                 (SELECT count(*) FROM tickets t WHERE t.owner = o.owner AND t.resolved_at IS NULL), o.n
        LIMIT 1`,
      [ticket.type, ticket.tier, ticket.priority, ticket.category ?? null],
    );
    return picked ? { owner: picked.owner, ruleId: picked.rule_id } : undefined;
  }

  async list() {
    return (
      await queryRows<RuleRow>(this.dataSource, 'SELECT * FROM assignment_rules ORDER BY position, id')
    ).map(view);
  }

  async put(id: string, dto: AssignmentRuleDto) {
    await execute(
      this.dataSource,
      `INSERT INTO assignment_rules (id, position, ticket_type, customer_tier, priority, category, owners, skills)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, ticket_type = EXCLUDED.ticket_type,
         customer_tier = EXCLUDED.customer_tier, priority = EXCLUDED.priority, category = EXCLUDED.category,
         owners = EXCLUDED.owners, skills = EXCLUDED.skills, updated_at = now()`,
      [
        id,
        dto.position,
        dto.match.type ?? null,
        dto.match.tier ?? null,
        dto.match.priority ?? null,
        dto.match.category ?? null,
        dto.owners,
        [...new Set(dto.skills ?? [])],
      ],
    );
    return view(
      (await queryOne<RuleRow>(this.dataSource, 'SELECT * FROM assignment_rules WHERE id = $1', [id]))!,
    );
  }

  async remove(id: string) {
    const gone = await queryRows(this.dataSource, 'DELETE FROM assignment_rules WHERE id = $1 RETURNING id', [
      id,
    ]);
    if (gone.length === 0) throw notFound('assignment rule', id);
  }
}

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('assignment-rules')
export class AssignmentRulesController {
  constructor(private readonly rules: AssignmentRules) {}

  @Get()
  @Roles('agent', 'analyst')
  @ApiOperation({ summary: 'The automatic assignment rules, in the order they are tried' })
  list() {
    return this.rules.list();
  }

  @Put(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Set an assignment rule: what a ticket must be, and the pool of owners (by load)',
  })
  put(@Param('id', new ParseSlug()) id: string, @Body() dto: AssignmentRuleDto) {
    return this.rules.put(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  async remove(@Param('id', new ParseSlug()) id: string) {
    await this.rules.remove(id);
  }
}
