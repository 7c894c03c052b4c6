import {
  addOpenSeconds,
  calendarProblems,
  openSecondsBetween,
  type BusinessCalendar,
} from './business-calendar';
import { dueAt, pauseClock, resumeClock, startClock, usedSeconds } from './sla-clock';

const weekdays = (timeZone: string, holidays: string[] = []): BusinessCalendar => ({
  id: 'office',
  timeZone,
  openingHours: {
    1: [['09:00', '18:00']],
    2: [['09:00', '18:00']],
    3: [['09:00', '18:00']],
    4: [['09:00', '18:00']],
    5: [['09:00', '18:00']],
  },
  holidays,
});
const at = (iso: string) => new Date(iso);
const hours = (h: number) => h * 3600;

describe('business calendar deadlines', () => {
  it('adds plain seconds round the clock', () => {
    expect(addOpenSeconds(null, at('2024-05-18T23:30:00Z'), 1800).toISOString()).toBe(
      '2024-05-19T00:00:00.000Z',
    );
    expect(openSecondsBetween(null, at('2024-05-18T00:00:00Z'), at('2024-05-19T00:00:00Z'))).toBe(86400);
  });

  it('carries a deadline over the weekend: 2 h from Friday 17:00 is Monday 10:00', () => {
    const utc = weekdays('UTC');
    expect(addOpenSeconds(utc, at('2024-05-17T17:00:00Z'), hours(2)).toISOString()).toBe(
      '2024-05-20T10:00:00.000Z',
    );
    expect(openSecondsBetween(utc, at('2024-05-17T17:00:00Z'), at('2024-05-20T10:00:00Z'))).toBe(hours(2));
  });

  it('starts counting at opening time when a ticket arrives at night or on a Sunday', () => {
    const utc = weekdays('UTC');
    expect(addOpenSeconds(utc, at('2024-05-19T22:00:00Z'), 1800).toISOString()).toBe(
      '2024-05-20T09:30:00.000Z',
    );
    expect(addOpenSeconds(utc, at('2024-05-20T06:00:00Z'), 1800).toISOString()).toBe(
      '2024-05-20T09:30:00.000Z',
    );
  });

  it('skips holidays', () => {
    const withHoliday = weekdays('UTC', ['2024-05-20']);
    expect(addOpenSeconds(withHoliday, at('2024-05-17T17:00:00Z'), hours(2)).toISOString()).toBe(
      '2024-05-21T10:00:00.000Z',
    );
  });

  it('counts opening hours in the calendar’s own time zone', () => {
    // 09:00 in Shanghai is 01:00 UTC; 12 h of a 9-hour day from Monday 08:00 local ends Tuesday 12:00 local.
    const shanghai = weekdays('Asia/Shanghai');
    expect(addOpenSeconds(shanghai, at('2024-05-20T00:00:00Z'), hours(12)).toISOString()).toBe(
      '2024-05-21T04:00:00.000Z',
    );
  });

  it('follows daylight saving changes: the office opens at 09:00 local before and after', () => {
    const berlin = weekdays('Europe/Berlin');
    // Friday 29 March 2024 17:00 CET (16:00 UTC) + 2 h → Monday 1 April 10:00 CEST (08:00 UTC).
    expect(addOpenSeconds(berlin, at('2024-03-29T16:00:00Z'), hours(2)).toISOString()).toBe(
      '2024-04-01T08:00:00.000Z',
    );
    const newYork = weekdays('America/New_York');
    // Friday 1 November 2024 17:00 EDT (21:00 UTC) + 2 h → Monday 4 November 10:00 EST (15:00 UTC).
    expect(addOpenSeconds(newYork, at('2024-11-01T21:00:00Z'), hours(2)).toISOString()).toBe(
      '2024-11-04T15:00:00.000Z',
    );
  });

  it('keeps a 24 h round-the-clock day intact across a daylight saving change', () => {
    const allDay: BusinessCalendar = {
      id: 'all',
      timeZone: 'Europe/Berlin',
      openingHours: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [['00:00', '24:00']]])),
      holidays: [],
    };
    // The night of 31 March 2024 has 23 hours in Berlin; open time still equals elapsed time.
    expect(openSecondsBetween(allDay, at('2024-03-30T12:00:00Z'), at('2024-04-01T12:00:00Z'))).toBe(
      hours(48),
    );
  });

  it('names what is wrong with a calendar', () => {
    expect(
      calendarProblems({
        id: 'bad',
        timeZone: 'Mars/Olympus',
        openingHours: { 1: [['18:00', '09:00']] },
        holidays: ['24-12-25'],
      }),
    ).toEqual([
      'timeZone: unknown time zone "Mars/Olympus"',
      'openingHours.1.0: must end after it starts',
      'openingHours: the calendar is never open',
      'holidays.0: must be YYYY-MM-DD',
    ]);
    expect(calendarProblems(weekdays('Europe/Berlin'))).toEqual([]);
  });
});

describe('the SLA clock', () => {
  const utc = weekdays('UTC');

  it('pauses while waiting on the customer without losing the time already used', () => {
    let clock = startClock(at('2024-05-20T09:00:00Z'));
    clock = pauseClock(utc, clock, at('2024-05-20T11:00:00Z'));
    expect(clock.usedSeconds).toBe(hours(2));
    expect(dueAt(utc, clock, hours(4), at('2024-05-20T12:00:00Z'))).toBeNull();
    expect(usedSeconds(utc, clock, at('2024-05-22T12:00:00Z'))).toBe(hours(2));
    clock = resumeClock(clock, at('2024-05-21T17:00:00Z'));
    // 2 h left from Tuesday 17:00: 1 h on Tuesday, 1 h on Wednesday morning.
    expect(dueAt(utc, clock, hours(4), at('2024-05-21T17:00:00Z'))?.toISOString()).toBe(
      '2024-05-22T10:00:00.000Z',
    );
  });

  it('applies a new, shorter target to the time already used: due at once when it is used up', () => {
    const clock = pauseClock(null, startClock(at('2024-05-20T09:00:00Z')), at('2024-05-20T10:00:00Z'));
    const resumed = resumeClock(clock, at('2024-05-20T12:00:00Z'));
    expect(dueAt(null, resumed, 1800, at('2024-05-20T12:00:00Z'))?.toISOString()).toBe(
      '2024-05-20T12:00:00.000Z',
    );
    expect(dueAt(null, resumed, hours(3), at('2024-05-20T12:00:00Z'))?.toISOString()).toBe(
      '2024-05-20T14:00:00.000Z',
    );
  });
});
