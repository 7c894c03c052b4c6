import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { invalid, invalidFields, notFound } from '@crm/service-kit';
import { calendarProblems, type BusinessCalendar } from '../calendars/business-calendar';
import { CalendarsRepository } from '../calendars/calendars.repository';
import { TicketsService } from '../tickets/tickets.service';
import type { SlaPolicy } from './sla-policy';
import { SlaPoliciesRepository } from './sla-policies.repository';

/** SLA policies and business calendars are data; every change re-times the open tickets in its transaction. */
@Injectable()
export class SlaPoliciesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: SlaPoliciesRepository,
    private readonly calendars: CalendarsRepository,
    private readonly tickets: TicketsService,
  ) {}

  list(): Promise<SlaPolicy[]> {
    return this.policies.list();
  }

  upsert(policy: SlaPolicy): Promise<SlaPolicy & { openTicketsRetimed: number }> {
    return this.dataSource.transaction(async (manager) => {
      if (policy.calendarId && !(await this.calendars.find(policy.calendarId, manager)))
        throw invalid('calendarId', `no business calendar ${policy.calendarId}`);
      await this.policies.upsert(manager, policy);
      const openTicketsRetimed = await this.tickets.policiesChanged(manager);
      const saved = await this.policies.find(manager, policy.id);
      return { ...saved!, openTicketsRetimed };
    });
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.policies.remove(manager, id))) throw notFound('SLA policy', id);
      await this.tickets.policiesChanged(manager);
    });
  }

  listCalendars(): Promise<BusinessCalendar[]> {
    return this.calendars.list();
  }

  async calendar(id: string): Promise<BusinessCalendar> {
    const calendar = await this.calendars.find(id);
    if (!calendar) throw notFound('business calendar', id);
    return calendar;
  }

  upsertCalendar(calendar: BusinessCalendar, description: string): Promise<BusinessCalendar> {
    const problems = calendarProblems(calendar);
    if (problems.length > 0)
      throw invalidFields(
        problems.map((p) => {
          const [field, ...rest] = p.split(': ');
          return { field, messages: [rest.join(': ')] };
        }),
      );
    return this.dataSource.transaction(async (manager) => {
      await this.calendars.upsert(manager, calendar, description);
      await this.tickets.policiesChanged(manager);
      return calendar;
    });
  }
}
