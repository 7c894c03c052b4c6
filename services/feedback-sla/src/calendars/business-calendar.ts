import { isTimeZone, localDay, localToInstant } from '@crm/service-kit';

/**
 * SLA clock arithmetic. A calendar is either round the clock (null) or business hours: opening intervals
 * per weekday in a time zone, minus holidays. Deadlines are "the instant at which this many seconds of
 * open time have been used", and used time is "open time between two instants".
 */
export interface BusinessCalendar {
  id: string;
  /** IANA zone, such as Europe/Berlin or Asia/Shanghai. */
  timeZone: string;
  /** ISO weekday (1 = Monday … 7 = Sunday) → opening intervals as "HH:MM" pairs, end after start. */
  openingHours: Partial<Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', [string, string][]>>;
  /** Local dates (YYYY-MM-DD) on which the calendar is closed all day. */
  holidays: string[];
}

/** Round-the-clock time: no calendar. */
export type SlaCalendar = BusinessCalendar | null;

const DAY_MS = 86_400_000;
/** No SLA target spans more than this many calendar days; a calendar with no open time fails loudly. */
const MAX_DAYS = 3_660;

/** Throws a clear error for a time zone the runtime does not know. */
export function assertTimeZone(timeZone: string): void {
  if (!isTimeZone(timeZone)) throw new Error(`unknown time zone "${timeZone}"`);
}

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** Open intervals [start, end) of one local day, as instants. */
function openIntervals(calendar: BusinessCalendar, day: number): [number, number][] {
  const date = new Date(day).toISOString().slice(0, 10);
  if (calendar.holidays.includes(date)) return [];
  const weekday = String(((new Date(day).getUTCDay() + 6) % 7) + 1) as keyof BusinessCalendar['openingHours'];
  return (calendar.openingHours[weekday] ?? []).map(([from, to]) => [
    localToInstant(calendar.timeZone, day + minutes(from) * 60_000),
    localToInstant(calendar.timeZone, day + minutes(to) * 60_000),
  ]);
}

/** The instant at which `seconds` of open time, counted from `start`, have been used. */
export function addOpenSeconds(calendar: SlaCalendar, start: Date, seconds: number): Date {
  if (seconds <= 0) return new Date(start);
  if (!calendar) return new Date(start.getTime() + seconds * 1000);
  let remaining = seconds * 1000;
  const from = start.getTime();
  let day = localDay(calendar.timeZone, from);
  for (let i = 0; i < MAX_DAYS; i++, day += DAY_MS) {
    for (const [open, close] of openIntervals(calendar, day)) {
      const begin = Math.max(open, from);
      if (close <= begin) continue;
      if (close - begin >= remaining) return new Date(begin + remaining);
      remaining -= close - begin;
    }
  }
  throw new Error(
    `calendar ${calendar.id} has no open time within ${MAX_DAYS} days of ${start.toISOString()}`,
  );
}

/** Open time, in seconds, between two instants (0 when `to` is not after `from`). */
export function openSecondsBetween(calendar: SlaCalendar, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  if (!calendar) return (b - a) / 1000;
  let total = 0;
  const lastDay = localDay(calendar.timeZone, b);
  for (let day = localDay(calendar.timeZone, a); day <= lastDay; day += DAY_MS) {
    for (const [open, close] of openIntervals(calendar, day)) {
      const begin = Math.max(open, a);
      const end = Math.min(close, b);
      if (end > begin) total += end - begin;
    }
  }
  return total / 1000;
}

/** Validates a calendar's data and names the bad part. */
export function calendarProblems(calendar: BusinessCalendar): string[] {
  const problems: string[] = [];
  try {
    assertTimeZone(calendar.timeZone);
  } catch (error) {
    problems.push(`timeZone: ${(error as Error).message}`);
  }
  let open = 0;
  for (const [weekday, intervals] of Object.entries(calendar.openingHours)) {
    if (!/^[1-7]$/.test(weekday)) problems.push(`openingHours.${weekday}: weekday must be 1 (Monday) to 7`);
    for (const [i, interval] of (intervals ?? []).entries()) {
      const [from, to] = interval;
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(from) || !/^([01]\d|2[0-4]):[0-5]\d$/.test(to))
        problems.push(`openingHours.${weekday}.${i}: times must be HH:MM`);
      else if (minutes(to) <= minutes(from))
        problems.push(`openingHours.${weekday}.${i}: must end after it starts`);
      else open += minutes(to) - minutes(from);
    }
  }
  if (open === 0) problems.push('openingHours: the calendar is never open');
  for (const [i, holiday] of calendar.holidays.entries())
    if (!/^\d{4}-\d{2}-\d{2}$/.test(holiday)) problems.push(`holidays.${i}: must be YYYY-MM-DD`);
  return problems;
}
