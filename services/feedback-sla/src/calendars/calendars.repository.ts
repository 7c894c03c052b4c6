import type { EntityManager } from 'typeorm';
import type { BusinessCalendar, SlaCalendar } from './business-calendar';

export function calendarFromRow(row: Record<string, unknown>): BusinessCalendar {
  return {
    id: row.id as string,
    timeZone: row.time_zone as string,
    openingHours: row.opening_hours as BusinessCalendar['openingHours'],
    holidays: (row.holidays as string[]) ?? [],
  };
}

/** The calendar a policy counts in; null (round the clock) when it names none. */
export async function loadCalendar(manager: EntityManager, id: string | null): Promise<SlaCalendar> {
  if (!id) return null;
  const [row] = await manager.query('SELECT * FROM business_calendars WHERE id = $1', [id]);
  if (!row) throw new Error(`business calendar ${id} does not exist`);
  return calendarFromRow(row);
}
