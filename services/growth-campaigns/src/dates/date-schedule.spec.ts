import fc from 'fast-check';
import { localDay } from '@crm/service-kit';
import { monthDayOf, nextAnnual } from './date-schedule';

const DAY = 86_400_000;
const zones = [
  'UTC',
  'Asia/Shanghai',
  'America/New_York',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Europe/London',
];

describe('yearly date schedules', () => {
  it("announces a birthday 24 h before local midnight in the customer's time zone", () => {
    // 20 May in Shanghai starts at 19 May 16:00 UTC; the notice is a day earlier.
    expect(nextAnnual('05-20', 'Asia/Shanghai', Date.parse('2026-03-01T00:00:00Z'), DAY)).toEqual({
      occursAt: Date.parse('2026-05-19T16:00:00Z'),
      dueAt: Date.parse('2026-05-18T16:00:00Z'),
    });
    // Once the notice has passed, next year's.
    expect(
      new Date(
        nextAnnual('05-20', 'Asia/Shanghai', Date.parse('2026-05-18T16:00:00Z'), DAY).occursAt,
      ).toISOString(),
    ).toBe('2027-05-19T16:00:00.000Z');
  });

  it('keeps 29 February on the 28th in other years', () => {
    expect(
      new Date(nextAnnual('02-29', 'UTC', Date.parse('2026-01-10T00:00:00Z'), 0).occursAt).toISOString(),
    ).toBe('2026-02-28T00:00:00.000Z');
    expect(
      new Date(nextAnnual('02-29', 'UTC', Date.parse('2027-03-01T00:00:00Z'), 0).occursAt).toISOString(),
    ).toBe('2028-02-29T00:00:00.000Z');
  });

  it('for any day, zone and instant: the next notice after it, on that local day, and none earlier', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2090-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 3 }),
        (after, month, day, zone, noticeDays) => {
          const md = `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const { occursAt, dueAt } = nextAnnual(md, zone, after.getTime(), noticeDays * DAY);
          expect(dueAt).toBe(occursAt - noticeDays * DAY);
          expect(dueAt).toBeGreaterThan(after.getTime());
          expect(dueAt - after.getTime()).toBeLessThanOrEqual(367 * DAY);
          expect(monthDayOf(occursAt, zone)).toBe(md);
          expect(localDay(zone, occursAt)).toBe(localDay(zone, occursAt + 1)); // local midnight starts the day
          expect(monthDayOf(occursAt - 1, zone)).not.toBe(md);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses what is not a month and day', () => {
    expect(() => nextAnnual('13-01', 'UTC', 0, 0)).toThrow(/not a month and day/);
  });
});
