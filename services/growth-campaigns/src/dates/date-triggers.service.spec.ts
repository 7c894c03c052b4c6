import fc from 'fast-check';
import type { DataSource, EntityManager } from 'typeorm';
import type { DateTrigger } from '@crm/contracts';
import type { OutboxPublisher } from '@crm/messaging';
import type { ServiceClock } from '@crm/persistence';
import type { CampaignsConfig } from '../campaigns.config';
import * as schedule from './date-schedule';
import { DateTriggersService } from './date-triggers.service';

// The schedule's own functions, counted (their answers unchanged).
jest.mock('./date-schedule', () => {
  const actual = jest.requireActual<typeof schedule>('./date-schedule');
  return { ...actual, nextAnnual: jest.fn(actual.nextAnnual), monthDayOf: jest.fn(actual.monthDayOf) };
});

/**
 * Rescheduling some triggers writes what rescheduling all of them and keeping those would, and computes no
 * other: a purchase asks for `days-without-purchase` alone, without the annual dates' time-zone arithmetic.
 * (A unit test: the database is a stand-in that answers the customers' dates and records the writes; the
 * schedules against real Postgres are in test/.)
 */
const config = {
  CONTACT_DEFAULT_TIME_ZONE: 'Asia/Shanghai',
  DATE_TRIGGER_NOTICE_HOURS: 24,
  DATE_TRIGGER_REGISTRATION_DAYS: 30,
  DATE_TRIGGER_NO_PURCHASE_DAYS: 90,
} as CampaignsConfig;

const TRIGGERS: DateTrigger[] = [
  'birthday',
  'membership-anniversary',
  'days-since-registration',
  'days-without-purchase',
];
const NOW = Date.parse('2026-06-15T08:00:00Z');
const instant = fc.option(
  fc.integer({ min: NOW - 3 * 365 * 86_400_000, max: NOW + 86_400_000 }).map((ms) => new Date(ms)),
  { nil: null },
);
const dates = fc.record({
  customer_id: fc.uuid({ version: 4 }),
  birthday_md: fc.option(
    fc
      .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
      .map(([m, d]) => `${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
    { nil: null },
  ),
  relationship_started_at: instant,
  registered_at: instant,
  last_purchase_at: instant,
  time_zone: fc.option(fc.constantFrom('Europe/Berlin', 'America/New_York', 'UTC', 'Australia/Lord_Howe'), {
    nil: null,
  }),
});

/** The writes of one reschedule: the schedules deleted and the ones upserted, as (customer, trigger, due). */
async function writes(rows: unknown[], only?: DateTrigger[]) {
  const statements: { sql: string; params: unknown[] }[] = [];
  const manager = {
    query: async (sql: string, params: unknown[]) => {
      if (sql.trimStart().startsWith('SELECT')) return rows;
      statements.push({ sql, params });
      return [];
    },
  } as unknown as EntityManager;
  const service = new DateTriggersService(
    {} as DataSource,
    {} as OutboxPublisher,
    {} as ServiceClock,
    config,
  );
  await service.reschedule(
    manager,
    rows.map((r) => (r as { customer_id: string }).customer_id),
    only,
    { shift: 0, now: NOW },
  );
  const deleted = statements.find((s) => s.sql.includes('DELETE'));
  const upserted = statements.find((s) => s.sql.includes('INSERT INTO date_schedules'));
  const pairs = (ids?: unknown, triggers?: unknown, extra?: unknown) =>
    ((ids as string[] | undefined) ?? []).map((id, i) =>
      [id, (triggers as string[])[i], extra ? (extra as Date[])[i].toISOString() : ''].join(' '),
    );
  return {
    deleted: pairs(deleted?.params[0], deleted?.params[1]).sort(),
    upserted: pairs(upserted?.params[0], upserted?.params[1], upserted?.params[4]).sort(),
  };
}

describe('DateTriggersService.reschedule', () => {
  it('writes for some triggers what it writes for all of them, kept to those', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(dates, { selector: (d) => d.customer_id, minLength: 1, maxLength: 6 }),
        fc.subarray(TRIGGERS, { minLength: 1 }),
        async (rows, only) => {
          const all = await writes(rows);
          const some = await writes(rows, only);
          const kept = (lines: string[]) =>
            lines.filter((line) => only.includes(line.split(' ')[1] as DateTrigger));
          expect(some).toEqual({ deleted: kept(all.deleted), upserted: kept(all.upserted) });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('asked for days without a purchase, computes no annual date', async () => {
    const annual = jest.mocked(schedule.nextAnnual);
    const monthDay = jest.mocked(schedule.monthDayOf);
    annual.mockClear();
    monthDay.mockClear();
    const rows = fc.sample(dates, { numRuns: 20, seed: 7 });
    const { upserted } = await writes(rows, ['days-without-purchase']);
    expect(annual).not.toHaveBeenCalled();
    expect(monthDay).not.toHaveBeenCalled();
    expect(upserted.length).toBeGreaterThan(0);
    await writes(rows);
    expect(annual).toHaveBeenCalled();
  });
});
