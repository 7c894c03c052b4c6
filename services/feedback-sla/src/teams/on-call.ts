import type { BusinessCalendar, SlaCalendar } from '../calendars/business-calendar';

const DAY_MS = 86_400_000;

/** The local date (YYYY-MM-DD) of an instant in a calendar's zone, or in UTC without a calendar. */
export function localDate(calendar: SlaCalendar, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: calendar?.timeZone ?? 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** A day the calendar is open at all (no holiday, some opening hours); every day without a calendar. */
export function isBusinessDay(calendar: SlaCalendar, date: string): boolean {
  if (!calendar) return true;
  if (calendar.holidays.includes(date)) return false;
  const weekday = String(((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1);
  return (calendar.openingHours[weekday as keyof BusinessCalendar['openingHours']] ?? []).length > 0;
}

/**
 * Who is on call at an instant: the rotation turns by one person each business day from `rotationStart`
 * (its first business day is the first person's); on a closed day the person of the last business day stays
 * on call. Undefined for an empty rotation.
 */
export function onCallAt(
  rotation: readonly string[],
  rotationStart: string,
  calendar: SlaCalendar,
  at: Date,
): string | undefined {
  if (rotation.length === 0) return undefined;
  const today = localDate(calendar, at);
  let day = Date.parse(`${rotationStart}T00:00:00Z`);
  const end = Date.parse(`${today}T00:00:00Z`);
  if (end < day) return rotation[0];
  let businessDays = 0;
  for (; day <= end; day += DAY_MS)
    if (isBusinessDay(calendar, new Date(day).toISOString().slice(0, 10))) businessDays += 1;
  // The count includes today when it is open; on a closed day the last business day's person stays.
  return rotation[Math.max(0, businessDays - 1) % rotation.length];
}
