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
}

interface RuleRow {
  id: string;
  position: number;
  ticket_type: string | null;
  customer_tier: string | null;
  priority: string | null;
  owners: string[];
}

const view = (r: RuleRow) => ({
  id: r.id,
  position: r.position,
  match: {
    ...(r.ticket_type ? { type: r.ticket_type } : {}),
    ...(r.customer_tier ? { tier: r.customer_tier } : {}),
    ...(r.priority ? { priority: r.priority } : {}),
  },
  owners: r.owners,
});

/**
 * Automatic assignment, as data: a new ticket opened without an owner goes to the first rule that matches its
 * type, the customer's tier and its priority, and within the rule's pool to the owner with the fewest open
 * tickets (load), ties by the pool's order.
 */
@Injectable()
export class AssignmentRules {
  constructor(private readonly dataSource: DataSource) {}

  async pick(
    db: Queryable,
    ticket: { type: string; tier: string | null; priority: string },
  ): Promise<{ owner: string; ruleId: string } | undefined> {
    const rule = await queryOne<RuleRow>(
      db,
      `SELECT * FROM assignment_rules
        WHERE (ticket_type IS NULL OR ticket_type = $1) AND (customer_tier IS NULL OR customer_tier = $2)
          AND (priority IS NULL OR priority = $3)
        ORDER BY position, id LIMIT 1`,
      [ticket.type, ticket.tier, ticket.priority],
    );
    if (!rule) return undefined;
    const least = await queryOne<{ owner: string }>(
      db,
      `SELECT o.owner FROM unnest($1::text[]) WITH ORDINALITY AS o(owner, n)
         LEFT JOIN tickets t ON t.owner = o.owner AND t.resolved_at IS NULL
        GROUP BY o.owner, o.n ORDER BY count(t.id), o.n LIMIT 1`,
      [rule.owners],
    );
    return least ? { owner: least.owner, ruleId: rule.id } : undefined;
  }

  async list() {
    return (
      await queryRows<RuleRow>(this.dataSource, 'SELECT * FROM assignment_rules ORDER BY position, id')
    ).map(view);
  }

  async put(id: string, dto: AssignmentRuleDto) {
    await execute(
      this.dataSource,
      `INSERT INTO assignment_rules (id, position, ticket_type, customer_tier, priority, owners) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, ticket_type = EXCLUDED.ticket_type,
         customer_tier = EXCLUDED.customer_tier, priority = EXCLUDED.priority, owners = EXCLUDED.owners, updated_at = now()`,
      [
        id,
        dto.position,
        dto.match.type ?? null,
        dto.match.tier ?? null,
        dto.match.priority ?? null,
        dto.owners,
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
