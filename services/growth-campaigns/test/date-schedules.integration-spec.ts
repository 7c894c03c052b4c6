import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { OutboxPublisher } from '@crm/messaging';
import { dueInMs, ServiceClock } from '@crm/persistence';
import { notificationsOn, testSchema, type TestSchema } from '@crm/testing';
import type { CampaignsConfig } from '../src/campaigns.config';
import { CADENCE_TIMERS_CHANNEL } from '../src/cadences/cadences.service';
import { monthDayOf, nextAnnual } from '../src/dates/date-schedule';
import { DateTriggersService } from '../src/dates/date-triggers.service';
import { CAMPAIGN_MIGRATIONS } from '../src/migrations';

/**
 * A customer's date schedules are set and cleared in one statement each (real Postgres, the service's
 * migrations): whatever the registrations in a row, the schedules left are the ones the last one gives, with
 * the times the schedule arithmetic gives, and the timers worker is woken at commit.
 */
const DAY = 86_400_000;
const config = {
  DATE_TRIGGER_NOTICE_HOURS: 24,
  DATE_TRIGGER_REGISTRATION_DAYS: 30,
  DATE_TRIGGER_NO_PURCHASE_DAYS: 90,
  DATE_TRIGGER_PAYMENT_REMINDER_DAYS: 3,
  DATE_TRIGGER_WARRANTY_NOTICE_DAYS: 30,
  CONTACT_DEFAULT_TIME_ZONE: 'UTC',
} as CampaignsConfig;
let tables: TestSchema;
let dataSource: DataSource;
let dates: DateTriggersService;

beforeAll(async () => {
  tables = await testSchema('campaigns_dates', CAMPAIGN_MIGRATIONS);
  dataSource = tables.dataSource;
  const outbox = new OutboxPublisher({
    serviceName: 'growth-campaigns',
    schema: tables.schema,
    brokers: '',
    databaseUrl: process.env.DATABASE_URL!,
  });
  dates = new DateTriggersService(dataSource, outbox, new ServiceClock(dataSource, false), config);
});

afterAll(() => tables.drop());

interface Row {
  trigger: string;
  ref: string;
  occurs_at: Date;
  due_at: Date;
}

const schedules = (customerId: string): Promise<Row[]> =>
  dataSource.query(
    'SELECT trigger, ref, occurs_at, due_at FROM date_schedules WHERE customer_id = $1 ORDER BY trigger, ref',
    [customerId],
  );

const monthDay = fc
  .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))
  .map(([m, d]) => `${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
/**
 * Days and a half ago: a date plus whole days is half a day from now, never at it, whatever the time of day
 * the test runs (anchored to a time of day instead, 30 days after one of them fell in the past after noon).
 */
const daysAgo = (days: number, now = Date.now()) => new Date(now - days * DAY - DAY / 2);
const registration = fc.record({
  birthdayMonthDay: fc.option(monthDay, { nil: undefined }),
  relationshipDaysAgo: fc.integer({ min: 0, max: 2000 }),
  registeredDaysAgo: fc.integer({ min: 1, max: 60 }),
});

describe('date schedules', () => {
  it('are what the last registration gives, whatever came before', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(registration, { minLength: 1, maxLength: 4 }), async (registrations) => {
        const customerId = randomUUID();
        const now = Date.now();
        const relationshipStartedAt = (r: (typeof registrations)[number]) =>
          daysAgo(r.relationshipDaysAgo, now);
        const registeredAt = (r: (typeof registrations)[number]) => daysAgo(r.registeredDaysAgo, now);
        let before = 0;
        for (const r of registrations) {
          before = Date.now();
          await dataSource.transaction((manager) =>
            dates.onRegistered(manager, [
              {
                customerId,
                birthdayMonthDay: r.birthdayMonthDay,
                relationshipStartedAt: relationshipStartedAt(r).toISOString(),
                registeredAt: registeredAt(r).toISOString(),
              },
            ]),
          );
        }
        const after = Date.now();
        const last = registrations[registrations.length - 1];
        const rows = await schedules(customerId);
        const expected = ['membership-anniversary'];
        if (last.birthdayMonthDay) expected.push('birthday');
        if (last.registeredDaysAgo < 30) expected.push('days-since-registration');
        expect(rows.map((r) => r.trigger)).toEqual(expected.sort());
        expect(rows.every((r) => r.ref === '')).toBe(true);
        // Yearly ones: the next occurrence after the call (computed at its start or its end).
        const annual = (md: string) =>
          [before, after].map((now) => nextAnnual(md, 'UTC', now, DAY)).map((a) => [a.occursAt, a.dueAt]);
        const at = (trigger: string) => {
          const row = rows.find((r) => r.trigger === trigger)!;
          return [row.occurs_at.getTime(), row.due_at.getTime()];
        };
        expect(annual(monthDayOf(relationshipStartedAt(last).getTime(), 'UTC'))).toContainEqual(
          at('membership-anniversary'),
        );
        if (last.birthdayMonthDay) expect(annual(last.birthdayMonthDay)).toContainEqual(at('birthday'));
        if (last.registeredDaysAgo < 30) {
          const due = registeredAt(last).getTime() + 30 * DAY;
          expect(at('days-since-registration')).toEqual([due, due]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("sets an order's reminders and the quiet-customer schedule, and tells the timers worker at commit when they are due", async () => {
    const listener = await notificationsOn(CADENCE_TIMERS_CHANNEL);
    try {
      const customerId = randomUUID();
      const occurredAt = daysAgo(1);
      const paymentDueAt = new Date(Date.now() + 10 * DAY);
      const warrantyUntil = new Date(Date.now() + 400 * DAY);
      let heardAt = 0;
      await dataSource.transaction(async (manager) => {
        await dates.onRegistered(manager, [
          {
            customerId,
            relationshipStartedAt: daysAgo(100).toISOString(),
            registeredAt: daysAgo(100).toISOString(),
          },
        ]);
        await dates.onPurchases(manager, [
          {
            customerId,
            orderId: 'o-1',
            occurredAt: occurredAt.toISOString(),
            paymentDueAt: paymentDueAt.toISOString(),
            warrantyUntil: warrantyUntil.toISOString(),
          },
        ]);
        await listener.settle();
        expect(listener.heard).toEqual([]); // nothing before commit
        heardAt = Date.now();
      });
      const rows = await schedules(customerId);
      expect(rows.map((r) => [r.trigger, r.ref, r.occurs_at.getTime(), r.due_at.getTime()])).toEqual([
        ['days-without-purchase', '', occurredAt.getTime() + 90 * DAY, occurredAt.getTime() + 90 * DAY],
        ['membership-anniversary', '', ...at(rows, 'membership-anniversary')],
        ['payment-due', 'o-1', paymentDueAt.getTime(), paymentDueAt.getTime() - 3 * DAY],
        ['warranty-expiry', 'o-1', warrantyUntil.getTime(), warrantyUntil.getTime() - 30 * DAY],
      ]);
      await listener.settle();
      // One notification per statement, each saying when its soonest schedule is due (measured from the
      // statement): the registration's (its anniversary), the order's payment reminder, the quiet-customer one.
      expect(listener.heard).toHaveLength(3);
      const prefix = `${CADENCE_TIMERS_CHANNEL}:${tables.schema};in=`;
      expect(listener.heard.every((h) => h.startsWith(prefix))).toBe(true);
      const dueAt = listener.heard.map((h) => heardAt + dueInMs(h.slice(CADENCE_TIMERS_CHANNEL.length + 1))!);
      const expected = [
        at(rows, 'membership-anniversary')[1],
        paymentDueAt.getTime() - 3 * DAY,
        occurredAt.getTime() + 90 * DAY,
      ];
      dueAt.forEach((at, i) => expect(Math.abs(at - expected[i])).toBeLessThan(5000));
    } finally {
      await listener.close();
    }
  });
});

function at(rows: Row[], trigger: string): number[] {
  const row = rows.find((r) => r.trigger === trigger)!;
  return [row.occurs_at.getTime(), row.due_at.getTime()];
}
