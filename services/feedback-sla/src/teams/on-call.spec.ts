import fc from 'fast-check';
import type { BusinessCalendar } from '../calendars/business-calendar';
import { isBusinessDay, localDate, onCallAt } from './on-call';

const weekdays: BusinessCalendar = {
  id: 'cn-office',
  timeZone: 'Asia/Shanghai',
  openingHours: {
    '1': [['09:00', '18:00']],
    '2': [['09:00', '18:00']],
    '3': [['09:00', '18:00']],
    '4': [['09:00', '18:00']],
    '5': [['09:00', '18:00']],
  },
  holidays: ['2026-10-01'],
};
const rotation = ['exec-a', 'exec-b', 'exec-c'];

describe('the on-call rotation', () => {
  it('turns by one person each business day of the calendar, from the rotation start', () => {
    // 2026-09-28 is a Monday in Shanghai.
    const at = (local: string) => new Date(`${local}+08:00`);
    expect(onCallAt(rotation, '2026-09-28', weekdays, at('2026-09-28T10:00:00'))).toBe('exec-a');
    expect(onCallAt(rotation, '2026-09-28', weekdays, at('2026-09-29T10:00:00'))).toBe('exec-b');
    expect(onCallAt(rotation, '2026-09-28', weekdays, at('2026-09-30T23:59:00'))).toBe('exec-c');
    // 1 October is a holiday: Wednesday's person stays; Friday the 2nd is the next turn.
    expect(onCallAt(rotation, '2026-09-28', weekdays, at('2026-10-01T10:00:00'))).toBe('exec-c');
    expect(onCallAt(rotation, '2026-09-28', weekdays, at('2026-10-02T10:00:00'))).toBe('exec-a');
    // The weekend keeps Friday's person; the local date, not UTC's, decides (Monday 00:30 in Shanghai).
    expect(onCallAt(rotation, '2026-09-28', weekdays, at('2026-10-04T12:00:00'))).toBe('exec-a');
    expect(onCallAt(rotation, '2026-09-28', weekdays, at('2026-10-05T00:30:00'))).toBe('exec-b');
  });

  it('without a calendar turns every day (UTC), and before its start answers the first person', () => {
    expect(onCallAt(rotation, '2026-01-01', null, new Date('2026-01-05T12:00:00Z'))).toBe('exec-b');
    expect(onCallAt(rotation, '2026-02-01', null, new Date('2026-01-05T12:00:00Z'))).toBe('exec-a');
    expect(onCallAt([], '2026-01-01', null, new Date())).toBeUndefined();
  });

  it('always answers someone in the rotation, the same person all of a closed stretch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 24 * 60 }),
        (people, days, minutes) => {
          const at = new Date(Date.UTC(2025, 0, 1) + days * 86_400_000 + minutes * 60_000);
          const who = onCallAt(people, '2025-01-01', weekdays, at);
          expect(people).toContain(who);
          const date = localDate(weekdays, at);
          // On a closed day the person of the day before (closed too, or the last open one) stays on call.
          if (!isBusinessDay(weekdays, date))
            expect(onCallAt(people, '2025-01-01', weekdays, new Date(at.getTime() - 86_400_000))).toBe(who);
        },
      ),
    );
  });
});
