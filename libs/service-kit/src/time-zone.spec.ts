import fc from 'fast-check';
import { isTimeZone, localToInstant, zoneOffsetMs } from './time-zone';

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Shanghai',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/St_Johns',
  'Africa/Casablanca',
  'Pacific/Apia',
];

/** The offset as read from the formatter's parts, written out independently. */
function offsetFromParts(timeZone: string, instant: number): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant / 1000) * 1000;
}

describe('zone offsets', () => {
  it('are what the formatter parts say, at any instant of any zone, DST edges and far years included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        // Year 1 to 9999 (four digits and fewer), and instants in the platform's own range more often.
        fc.oneof(
          fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_000 }),
          fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
        ),
        (zone, instant) => {
          expect(zoneOffsetMs(zone, instant)).toBe(offsetFromParts(zone, instant));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('put a local time skipped by a DST jump past the gap', () => {
    // Berlin, 2024-03-31: 02:00 local did not happen; clocks went to 03:00 (01:00 UTC).
    const skipped = Date.UTC(2024, 2, 31, 2, 30);
    expect(new Date(localToInstant('Europe/Berlin', skipped)).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(zoneOffsetMs('Asia/Kathmandu', Date.UTC(2024, 0, 1))).toBe(5.75 * 3_600_000);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it("read a local time on the evening before clocks go back with that evening's offset", () => {
    // Lord Howe, 2027-04-04 02:00 local (+11:00) goes back to 01:30 (+10:30). 23:30 on the 3rd is +11:00
    // (12:30 UTC); the offset at "23:30 UTC" is already +10:30, which once gave 13:00 UTC (00:00 on the 4th).
    const evening = Date.UTC(2027, 3, 3, 23, 30);
    expect(new Date(localToInstant('Australia/Lord_Howe', evening)).toISOString()).toBe(
      '2027-04-03T12:30:00.000Z',
    );
  });
});
