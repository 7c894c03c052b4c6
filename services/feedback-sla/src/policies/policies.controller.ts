import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@crm/auth';
import { invalid, ParseSlug } from '@crm/service-kit';
import type { BusinessCalendar } from '../calendars/business-calendar';
import { BusinessCalendarDto } from '../calendars/calendar.dto';
import { SlaPolicyDto } from '../tickets/open-ticket.dto';
import type { SlaPolicy } from './sla-policy';
import { SlaPoliciesService } from './sla-policies.service';

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
  upsertPolicy(@Param('id', new ParseSlug()) id: string, @Body() dto: SlaPolicyDto) {
    if (dto.id !== id) throw invalid('id', `must equal the id in the path (${id})`);
    return this.policies.upsert({
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
    });
  }

  @Delete('sla-policies/:id')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Remove an SLA policy; its open tickets take the policy that now matches' })
  deletePolicy(@Param('id', new ParseSlug()) id: string): Promise<void> {
    return this.policies.remove(id);
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
  ): Promise<BusinessCalendar> {
    return this.policies.upsertCalendar(
      { id, timeZone: dto.timeZone, openingHours: dto.openingHours, holidays: dto.holidays ?? [] },
      dto.description ?? '',
    );
  }
}
