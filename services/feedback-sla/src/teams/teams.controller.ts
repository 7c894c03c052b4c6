import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { Roles, type Principal } from '@crm/auth';
import { STAFF_ID } from '@crm/contracts';
import { ServiceClock } from '@crm/persistence';
import { CurrentPrincipal, ParsePattern, ParseSlug } from '@crm/service-kit';
import { StaffView, TeamsService, TeamView } from './teams.service';

const STAFF_MESSAGE = 'a staff id: 1-64 letters, digits, ".", "_", "@" or "-"';

/** A staff id in a route; a 400 names it. */
const ParseStaffId = () => new ParsePattern(STAFF_ID, STAFF_MESSAGE);

export class TeamDto {
  @ApiProperty({ example: 'Care north' }) @IsString() @Length(1, 120) name: string;
  @ApiProperty({ example: 'lead-north' })
  @Matches(STAFF_ID, { message: `lead must be ${STAFF_MESSAGE}` })
  lead: string;
  @ApiProperty({ example: ['agent-1', 'agent-2'] })
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(STAFF_ID, { each: true, message: `each member must be ${STAFF_MESSAGE}` })
  members: string[];
  @ApiProperty({ example: ['exec-1', 'exec-2'], description: 'One person per business day, in this order' })
  @IsArray()
  @ArrayMinSize(0)
  @ArrayMaxSize(100)
  @Matches(STAFF_ID, { each: true, message: `each on-call person must be ${STAFF_MESSAGE}` })
  onCall: string[];
  @ApiPropertyOptional({ description: 'The business calendar the rotation turns by (every day without one)' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'calendarId must be a calendar id' })
  calendarId?: string;
  @ApiProperty({ example: '2026-01-05', description: "The rotation's first day (its first person)" })
  @Matches(/^(20\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
    message: 'rotationStart must be a date 2000-2099',
  })
  @IsISO8601({ strict: true })
  rotationStart: string;
  @ApiPropertyOptional({
    description: 'The team whose on-call person takes the executive step (this one when absent)',
  })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'escalatesTo must be a team id' })
  escalatesTo?: string;
}

export class StaffDto {
  @ApiPropertyOptional({ example: 'lead.north@example.com', description: 'Sealed at rest; never logged' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
  @ApiPropertyOptional({ enum: ['en', 'zh-CN'] }) @IsOptional() @IsIn(['en', 'zh-CN']) locale?: string;
  @ApiPropertyOptional({
    example: ['valves', 'zh-CN'],
    description: 'What assignment rules can ask of an owner',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(/^[A-Za-z0-9 ._-]{1,64}$/, {
    each: true,
    message: 'each skill must be 1-64 letters, digits, spaces, dots, dashes or underscores',
  })
  skills?: string[];
}

export class DeliveryAddressDto {
  @ApiProperty({ enum: ['email'] }) @IsIn(['email']) channel: 'email';
  @ApiProperty({ example: 'staff notification 9a8b…' }) @IsString() @Length(1, 200) reason: string;
}

export class OnCallQueryDto {
  @ApiPropertyOptional({ description: 'The instant (defaults to now)' })
  @IsOptional()
  @IsISO8601()
  at?: string;
}

/** Teams and staff: the people the escalation path reaches (owner → team lead → executive on call). */
@ApiTags('teams')
@ApiBearerAuth()
@Controller()
export class TeamsController {
  constructor(
    private readonly teams: TeamsService,
    private readonly clock: ServiceClock,
  ) {}

  @Get('teams')
  @Roles('agent', 'analyst', 'admin')
  @ApiOkResponse({ type: TeamView, isArray: true })
  list(): Promise<TeamView[]> {
    return this.teams.teams();
  }

  @Get('teams/:id')
  @Roles('agent', 'analyst', 'admin')
  @ApiOkResponse({ type: TeamView })
  get(@Param('id', new ParseSlug()) id: string): Promise<TeamView> {
    return this.teams.team(id);
  }

  @Put('teams/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Create or replace a team: members, lead, on-call rotation and its calendar' })
  @ApiOkResponse({ type: TeamView })
  put(
    @Param('id', new ParseSlug()) id: string,
    @Body() dto: TeamDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.teams.putTeam(id, dto, principal.sub || 'unknown');
  }

  @Delete('teams/:id')
  @HttpCode(204)
  @Roles('admin')
  remove(@Param('id', new ParseSlug()) id: string): Promise<void> {
    return this.teams.removeTeam(id);
  }

  @Get('teams/:id/on-call')
  @Roles('agent', 'analyst', 'admin')
  @ApiOperation({ summary: 'Who is on call for the team at an instant (by its business calendar)' })
  async onCall(@Param('id', new ParseSlug()) id: string, @Query() query: OnCallQueryDto) {
    return this.teams.onCall(id, query.at ? new Date(query.at) : await this.clock.now());
  }

  @Put('staff/:id')
  @Roles('admin')
  @ApiOperation({ summary: "Set a staff member's contact address (sealed) and language" })
  @ApiOkResponse({ type: StaffView })
  putStaff(
    @Param('id', ParseStaffId()) id: string,
    @Body() dto: StaffDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.teams.putStaff(id, dto, principal.sub || 'unknown');
  }

  @Get('staff/:id')
  @Roles('agent', 'analyst', 'admin')
  @ApiOkResponse({ type: StaffView })
  staff(@Param('id', ParseStaffId()) id: string): Promise<StaffView> {
    return this.teams.staff(id);
  }

  @Delete('staff/:id')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Remove a staff member; their address key is destroyed' })
  removeStaff(@Param('id', ParseStaffId()) id: string): Promise<void> {
    return this.teams.removeStaff(id);
  }

  @Post('staff/:id/delivery-address')
  @HttpCode(200)
  @Roles('integration')
  @ApiOperation({ summary: "A staff member's address at the moment of sending (growth-campaigns), logged" })
  deliveryAddress(
    @Param('id', ParseStaffId()) id: string,
    @Body() dto: DeliveryAddressDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.teams.deliveryAddress(id, dto.reason, principal.sub || 'unknown');
  }
}
