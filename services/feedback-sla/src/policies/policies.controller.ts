import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '@crm/auth';
import { invalid, invalidFields, notFound } from '@crm/service-kit';
import { calendarProblems, type BusinessCalendar } from '../calendars/business-calendar';
import { BusinessCalendarDto } from '../calendars/calendar.dto';
import { calendarFromRow } from '../calendars/calendars.repository';
import { SlaPolicyDto } from '../tickets/open-ticket.dto';
import { TicketsService } from '../tickets/tickets.service';
import { policyFromRow } from './sla-policy';

/** SLA policies and business calendars are data: ordered, first match wins; changes re-time open tickets. */
@ApiTags('sla-policies')
@ApiBearerAuth()
@Controller()
export class PoliciesController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsService,
  ) {}

  @Get('sla-policies')
  @Roles('agent', 'analyst', 'admin')
  @ApiOperation({ summary: 'SLA policies in the order they are tried (first match wins)' })
  async policies() {
    return (await this.dataSource.query('SELECT * FROM sla_policies ORDER BY position, id')).map(
      policyFromRow,
    );
  }

  @Put('sla-policies/:id')
  @Roles('admin')
  @ApiOperation({
    summary:
      'Create or replace an SLA policy; open tickets take the policy that now matches, keeping their used time',
  })
  async upsertPolicy(@Param('id') id: string, @Body() dto: SlaPolicyDto) {
    if (dto.id !== id) throw invalid('id', `must equal the id in the path (${id})`);
    return this.dataSource.transaction(async (manager) => {
      if (dto.calendarId) {
        const [calendar] = await manager.query('SELECT id FROM business_calendars WHERE id = $1', [
          dto.calendarId,
        ]);
        if (!calendar) throw invalid('calendarId', `no business calendar ${dto.calendarId}`);
      }
      await manager.query(
        `INSERT INTO sla_policies (id, position, ticket_type, customer_tier, customer_segment, priority, first_response_seconds,
                                   next_response_seconds, resolution_seconds, requires_owner, calendar_id, description)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
         ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, ticket_type = EXCLUDED.ticket_type, customer_tier = EXCLUDED.customer_tier,
           customer_segment = EXCLUDED.customer_segment, priority = EXCLUDED.priority, first_response_seconds = EXCLUDED.first_response_seconds,
           next_response_seconds = EXCLUDED.next_response_seconds, resolution_seconds = EXCLUDED.resolution_seconds,
           requires_owner = EXCLUDED.requires_owner, calendar_id = EXCLUDED.calendar_id, description = EXCLUDED.description`,
        [
          id,
          dto.position,
          dto.ticketType ?? null,
          dto.customerTier ?? null,
          dto.customerSegment ?? null,
          dto.priority ?? null,
          dto.firstResponseSeconds,
          dto.nextResponseSeconds ?? null,
          dto.resolutionSeconds,
          dto.requiresOwner ?? false,
          dto.calendarId ?? null,
          dto.description ?? '',
        ],
      );
      const retimed = await this.tickets.policiesChanged(manager);
      const [row] = await manager.query('SELECT * FROM sla_policies WHERE id = $1', [id]);
      return { ...policyFromRow(row), openTicketsRetimed: retimed };
    });
  }

  @Delete('sla-policies/:id')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Remove an SLA policy; its open tickets take the policy that now matches' })
  async deletePolicy(@Param('id') id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [, removed] = await manager.query('DELETE FROM sla_policies WHERE id = $1', [id]);
      if (!removed) throw notFound('SLA policy', id);
      await this.tickets.policiesChanged(manager);
    });
  }

  @Get('calendars')
  @Roles('agent', 'analyst', 'admin')
  async calendars(): Promise<BusinessCalendar[]> {
    return (await this.dataSource.query('SELECT * FROM business_calendars ORDER BY id')).map(calendarFromRow);
  }

  @Get('calendars/:id')
  @Roles('agent', 'analyst', 'admin')
  async calendar(@Param('id') id: string): Promise<BusinessCalendar> {
    const [row] = await this.dataSource.query('SELECT * FROM business_calendars WHERE id = $1', [id]);
    if (!row) throw notFound('business calendar', id);
    return calendarFromRow(row);
  }

  @Put('calendars/:id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Create or replace a business calendar (weekday opening hours, holidays, time zone)',
  })
  async upsertCalendar(@Param('id') id: string, @Body() dto: BusinessCalendarDto) {
    if (!/^[a-z0-9-]{1,64}$/.test(id))
      throw invalid('id', 'must be 1-64 lowercase letters, digits or dashes');
    const calendar: BusinessCalendar = {
      id,
      timeZone: dto.timeZone,
      openingHours: dto.openingHours,
      holidays: dto.holidays ?? [],
    };
    const problems = calendarProblems(calendar);
    if (problems.length > 0)
      throw invalidFields(
        problems.map((p) => {
          const [field, ...rest] = p.split(': ');
          return { field, messages: [rest.join(': ')] };
        }),
      );
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO business_calendars (id, time_zone, opening_hours, holidays, description) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET time_zone = EXCLUDED.time_zone, opening_hours = EXCLUDED.opening_hours,
           holidays = EXCLUDED.holidays, description = EXCLUDED.description`,
        [
          id,
          calendar.timeZone,
          JSON.stringify(calendar.openingHours),
          calendar.holidays,
          dto.description ?? '',
        ],
      );
      await this.tickets.policiesChanged(manager);
      return calendar;
    });
  }
}
