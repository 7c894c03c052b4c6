import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Roles, type Principal } from '@crm/auth';
import { CurrentPrincipal, invalid, ParseSlug, ParseVersion } from '@crm/service-kit';
import type { BusinessCalendar } from '../calendars/business-calendar';
import { BusinessCalendarDto } from '../calendars/calendar.dto';
import { SlaPolicyDto } from '../tickets/open-ticket.dto';
import type { SlaPolicy } from './sla-policy';
import { SlaPoliciesService } from './sla-policies.service';

export class ChangeReasonQueryDto {
  @ApiPropertyOptional({ description: 'Why (kept with the version)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

function policyOf(id: string, dto: SlaPolicyDto): SlaPolicy {
  if (dto.id !== id) throw invalid('id', `must equal the id in the path (${id})`);
  return {
    id,
    position: dto.position,
    ticketType: dto.ticketType ?? null,
    customerTier: dto.customerTier ?? null,
    customerSegment: dto.customerSegment ?? null,
    priority: dto.priority ?? null,
    firstResponseSeconds: dto.firstResponseSeconds,
    nextResponseSeconds: dto.nextResponseSeconds ?? null,
    resolutionSeconds: dto.resolutionSeconds,
    requiresOwner: dto.requiresOwner ?? false,
    calendarId: dto.calendarId ?? null,
    description: dto.description ?? '',
  };
}

/** SLA policies and business calendars are data: ordered, first match wins; changes re-time open tickets. */
@ApiTags('sla-policies')
@ApiBearerAuth()
@Controller()
export class PoliciesController {
  constructor(private readonly policies: SlaPoliciesService) {}

  @Get('sla-policies')
  @Roles('agent', 'analyst', 'admin')
  @ApiOperation({ summary: 'SLA policies in the order they are tried (first match wins)' })
  @ApiOkResponse({ type: SlaPolicyDto, isArray: true })
  list(): Promise<SlaPolicy[]> {
    return this.policies.list();
  }

  @Put('sla-policies/:id')
  @Roles('admin')
  @ApiOperation({
    summary:
      'Create or replace an SLA policy; open tickets take the policy that now matches, keeping their used time',
  })
  @ApiOkResponse({ type: SlaPolicyDto })
  upsertPolicy(
    @Param('id', new ParseSlug()) id: string,
    @Body() dto: SlaPolicyDto,
    @Query() query: ChangeReasonQueryDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.policies.upsert(policyOf(id, dto), principal.sub || 'unknown', query.reason);
  }

  @Post('sla-policies/:id/preview')
  @HttpCode(200)
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary:
      'What creating or replacing the policy would do to the open tickets (policy moves, deadlines before and after); nothing is changed',
  })
  preview(@Param('id', new ParseSlug()) id: string, @Body() dto: SlaPolicyDto) {
    return this.policies.preview(policyOf(id, dto));
  }

  @Get('sla-policies/:id/versions')
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary: "The policy's versions, newest first: its definition (null: removed), who, why, when",
  })
  versions(@Param('id', new ParseSlug()) id: string) {
    return this.policies.versions('sla-policy', id);
  }

  @Post('sla-policies/:id/versions/:version/restore')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Make an earlier version current again (a new version); open tickets are re-timed',
  })
  restore(
    @Param('id', new ParseSlug()) id: string,
    @Param('version', new ParseVersion()) version: number,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.policies.restore('sla-policy', id, version, principal.sub || 'unknown');
  }

  @Delete('sla-policies/:id')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Remove an SLA policy; its open tickets take the policy that now matches' })
  deletePolicy(
    @Param('id', new ParseSlug()) id: string,
    @Query() query: ChangeReasonQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.policies.remove(id, principal.sub || 'unknown', query.reason);
  }

  @Get('calendars')
  @Roles('agent', 'analyst', 'admin')
  @ApiOkResponse({ type: BusinessCalendarDto, isArray: true })
  calendars(): Promise<BusinessCalendar[]> {
    return this.policies.listCalendars();
  }

  @Get('calendars/:id')
  @Roles('agent', 'analyst', 'admin')
  @ApiOkResponse({ type: BusinessCalendarDto })
  calendar(@Param('id', new ParseSlug()) id: string): Promise<BusinessCalendar> {
    return this.policies.calendar(id);
  }

  @Put('calendars/:id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Create or replace a business calendar (weekday opening hours, holidays, time zone)',
  })
  @ApiOkResponse({ type: BusinessCalendarDto })
  upsertCalendar(
    @Param('id', new ParseSlug()) id: string,
    @Body() dto: BusinessCalendarDto,
    @Query() query: ChangeReasonQueryDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.policies.upsertCalendar(
      { id, timeZone: dto.timeZone, openingHours: dto.openingHours, holidays: dto.holidays ?? [] },
      dto.description ?? '',
      principal.sub || 'unknown',
      query.reason,
    );
  }

  @Post('calendars/:id/preview')
  @HttpCode(200)
  @Roles('admin', 'analyst')
  @ApiOperation({
    summary: 'What replacing the calendar would do to the open tickets timed by it; nothing is changed',
  })
  previewCalendar(@Param('id', new ParseSlug()) id: string, @Body() dto: BusinessCalendarDto) {
    return this.policies.previewCalendar({
      id,
      timeZone: dto.timeZone,
      openingHours: dto.openingHours,
      holidays: dto.holidays ?? [],
    });
  }

  @Get('calendars/:id/versions')
  @Roles('admin', 'analyst')
  @ApiOperation({ summary: "The calendar's versions, newest first: its definition, who, why, when" })
  calendarVersions(@Param('id', new ParseSlug()) id: string) {
    return this.policies.versions('calendar', id);
  }

  @Post('calendars/:id/versions/:version/restore')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Make an earlier version of the calendar current again; open tickets are re-timed',
  })
  restoreCalendar(
    @Param('id', new ParseSlug()) id: string,
    @Param('version', new ParseVersion()) version: number,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.policies.restore('calendar', id, version, principal.sub || 'unknown');
  }
}
