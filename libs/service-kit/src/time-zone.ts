import { TIME_ZONE_PATTERN } from '@crm/contracts';
import { ValidateBy } from 'class-validator';

/**
 * Wall-clock arithmetic in IANA time zones, shared by the SLA calendars, quiet hours and local-time waits.
 * "Local ms" is a local date and time written as if it were UTC (Date.UTC of the local Y-M-D h:m:s).
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      f = null;
    }
    if (formatters.size < 1000) formatters.set(timeZone, f);
  }
  return f;
}

function known(timeZone: string): Intl.DateTimeFormat {
  const f = formatter(timeZone);
  if (!f) throw new Error(`unknown time zone "${timeZone}"`);
  return f;
}

/** Whether `name` is an IANA time zone this runtime knows (`Asia/Shanghai`, `UTC`). */
export function isTimeZone(name: unknown): name is string {
  return (
    typeof name === 'string' && name.length <= 64 && TIME_ZONE_PATTERN.test(name) && formatter(name) !== null
  );
}

/** What the formatter writes in every case but far-off years: `MM/DD/YYYY, hh:mm:ss`. */
const FORMATTED = /^(\d{2})\/(\d{2})\/(\d{4}), (\d{2}):(\d{2}):(\d{2})$/;

/**
 * The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). Read from the
 * formatter's text, which is a third of the cost of its parts (a measurable share of growth-campaigns' CPU when
 * an import reschedules date triggers); any other text is read part by part as before.
 */
export function zoneOffsetMs(timeZone: string, instant: number): number {
  const f = known(timeZone);
  const date = new Date(instant);
  const m = FORMATTED.exec(f.format(date));
  const asUtc = m
    ? Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]))
    : fromParts(f, date);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

function fromParts(f: Intl.DateTimeFormat, date: Date): number {
  const parts = Object.fromEntries(f.formatToParts(date).map((p) => [p.type, p.value]));
  return Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
}

/**
 * The instant of a local wall-clock time; a time skipped by a DST jump maps forward past the gap. Near a
 * change of offset the first guess may take the offset of the other side (23:30 the evening before Lord
 * Howe's clocks go back half an hour read as 00:00): of the two guesses, the one that reads back as the
 * wall-clock time wins.
 */
export function localToInstant(timeZone: string, localMs: number): number {
  const first = localMs - zoneOffsetMs(timeZone, localMs);
  const second = localMs - zoneOffsetMs(timeZone, first);
  if (second === first) return first;
  const readsBack = (at: number) => at + zoneOffsetMs(timeZone, at) === localMs;
  if (readsBack(first) !== readsBack(second)) return readsBack(first) ? first : second;
  return Math.max(first, second);
}

/** Local calendar day (as a UTC-midnight timestamp of the same Y-M-D) containing an instant. */
export function localDay(timeZone: string, instant: number): number {
  const local = instant + zoneOffsetMs(timeZone, instant);
  return Math.floor(local / DAY_MS) * DAY_MS;
}

/** Minutes since local midnight at an instant. */
export function localMinuteOfDay(timeZone: string, instant: number): number {
  const local = instant + zoneOffsetMs(timeZone, instant);
  return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 60_000);
}

/** The first instant after `instant` at which the local time of day is `minute` (minutes since midnight). */
export function nextLocalTime(timeZone: string, instant: number, minute: number): number {
  const today = localDay(timeZone, instant);
  for (let day = today; day <= today + 2 * DAY_MS; day += DAY_MS) {
    const at = localToInstant(timeZone, day + minute * 60_000);
    if (at > instant) return at;
  }
  return localToInstant(timeZone, today + 3 * DAY_MS + minute * 60_000);
}

/** `HH:MM` → minutes since midnight, or undefined when it is not a time of day. */
export function parseTimeOfDay(value: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** class-validator: an IANA time zone name that exists. */
export function IsTimeZone(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: (value: unknown) => isTimeZone(value),
      defaultMessage: () => '$property must be an IANA time zone such as Asia/Shanghai or UTC',
    },
  });
}
