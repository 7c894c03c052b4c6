import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { execute, queryOne, queryRows, type Queryable } from '@crm/persistence';
import type { BusinessCalendar, SlaCalendar } from './business-calendar';

/** A row of `business_calendars`. */
export interface BusinessCalendarRow {
  id: string;
  time_zone: string;
  opening_hours: BusinessCalendar['openingHours'];
  holidays: string[] | null;
  description: string;
}

export function calendarFromRow(row: BusinessCalendarRow): BusinessCalendar {
  return {
    id: row.id,
    timeZone: row.time_zone,
    openingHours: row.opening_hours,
    holidays: row.holidays ?? [],
  };
}

export async function findCalendar(db: Queryable, id: string): Promise<BusinessCalendar | undefined> {
  const row = await queryOne<BusinessCalendarRow>(db, 'SELECT * FROM business_calendars WHERE id = $1', [id]);
  return row && calendarFromRow(row);
}

/** The calendar a policy counts in; null (round the clock) when it names none. */
export async function loadCalendar(db: Queryable, id: string | null): Promise<SlaCalendar> {
  if (!id) return null;
  const calendar = await findCalendar(db, id);
  if (!calendar) throw new Error(`business calendar ${id} does not exist`);
  return calendar;
}

@Injectable()
export class CalendarsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(): Promise<BusinessCalendar[]> {
    const rows = await queryRows<BusinessCalendarRow>(
      this.dataSource,
      'SELECT * FROM business_calendars ORDER BY id',
    );
    return rows.map(calendarFromRow);
  }

  find(id: string, db: Queryable = this.dataSource): Promise<BusinessCalendar | undefined> {
    return findCalendar(db, id);
  }

  async upsert(db: Queryable, calendar: BusinessCalendar, description: string): Promise<void> {
    await execute(
      db,
      `INSERT INTO business_calendars (id, time_zone, opening_hours, holidays, description) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET time_zone = EXCLUDED.time_zone, opening_hours = EXCLUDED.opening_hours,
         holidays = EXCLUDED.holidays, description = EXCLUDED.description`,
      [calendar.id, calendar.timeZone, JSON.stringify(calendar.openingHours), calendar.holidays, description],
    );
  }
}
