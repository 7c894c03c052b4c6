import { localToInstant, localDay } from '@crm/service-kit';

const DAY_MS = 86_400_000;
const MONTH_DAY = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * The next yearly occurrence of a month and day (`MM-DD`, a birthday or the day a membership began) at local
 * midnight in a time zone, whose notice (`dueAt = occursAt - noticeMs`) falls after `after`. A 29 February is
 * kept on 28 February in other years; a day a month does not have (04-31) is its last day.
 */
export function nextAnnual(
  monthDay: string,
  timeZone: string,
  after: number,
  noticeMs: number,
): { occursAt: number; dueAt: number } {
  const match = MONTH_DAY.exec(monthDay);
  if (!match) throw new Error(`not a month and day: ${monthDay}`);
  const month = Number(match[1]);
  const day = Number(match[2]);
  const startYear = new Date(localDay(timeZone, after)).getUTCFullYear() - 1;
  for (let year = startYear; year <= startYear + 3; year++) {
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const d = month === 2 && day === 29 && !isLeap(year) ? 28 : Math.min(day, lastDay);
    const occursAt = localToInstant(timeZone, Date.UTC(year, month - 1, d));
    if (occursAt - noticeMs > after) return { occursAt, dueAt: occursAt - noticeMs };
  }
  throw new Error(`no occurrence of ${monthDay} within three years of ${new Date(after).toISOString()}`);
}

/** `MM-DD` of an instant in a time zone (a membership's anniversary day). */
export function monthDayOf(instant: number, timeZone: string): string {
  return new Date(localDay(timeZone, instant)).toISOString().slice(5, 10);
}

/** N days after an instant. */
export const daysAfter = (instant: number, days: number) => instant + days * DAY_MS;
