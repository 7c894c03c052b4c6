import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DateTriggerDue, type DateTrigger } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { counter } from '@crm/observability';
import { dueIn, execute, queryRows, ServiceClock } from '@crm/persistence';
import { CampaignsConfig } from '../campaigns.config';
import { CADENCE_TIMERS_CHANNEL } from '../cadences/cadences.service';
import { daysAfter, monthDayOf, nextAnnual } from './date-schedule';

const fired = () => counter('crm_date_triggers_total', 'Date triggers that came due', ['trigger']);

/** When a trigger next occurs, when it is due (its notice before), and what it is. */
interface Occurrence {
  occursAt: number;
  dueAt: number;
  detail: string;
}

/** One schedule of a customer: a trigger, the order it is about (`''` for the customer's own dates). */
interface Schedule extends Occurrence {
  customerId: string;
  trigger: DateTrigger;
  ref: string;
}

/** What a registration tells about a customer's dates. */
export interface RegisteredDates {
  customerId: string;
  birthdayMonthDay?: string;
  relationshipStartedAt: string;
  registeredAt: string;
}

/** What a purchase tells about a customer's dates. */
export interface PurchaseDates {
  customerId: string;
  orderId: string;
  occurredAt: string;
  paymentDueAt?: string;
  warrantyUntil?: string;
}

interface DatesRow {
  customer_id: string;
  birthday_md: string | null;
  relationship_started_at: Date | null;
  registered_at: Date | null;
  last_purchase_at: Date | null;
  time_zone: string | null;
}

/**
 * Time triggers (handbook §5) as durable schedules, not a nightly scan: per customer and trigger one row with
 * its next due time, (re)computed when the dates or the time zone change, fired by the campaign timers worker
 * on the campaigns clock. Firing publishes `date trigger due` (journeys enter on it, playbooks act on it) and
 * moves a yearly schedule to next year, in one transaction. A date already past when it is learnt (an
 * imported customer registered two years ago) schedules nothing: history is not news.
 */
@Injectable()
export class DateTriggersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly clock: ServiceClock,
    private readonly config: CampaignsConfig,
  ) {}

  /**
   * Registrations (each customer at most once): birthday, relationship start and registration date, stored
   * and scheduled with a statement each for all of them.
   */
  async onRegistered(manager: EntityManager, customers: RegisteredDates[]): Promise<void> {
    if (customers.length === 0) return;
    await execute(
      manager,
      `INSERT INTO customer_dates (customer_id, birthday_md, relationship_started_at, registered_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS r(id, md, rs, reg) ORDER BY id
       ON CONFLICT (customer_id) DO UPDATE SET birthday_md = EXCLUDED.birthday_md,
         relationship_started_at = EXCLUDED.relationship_started_at, registered_at = EXCLUDED.registered_at`,
      [
        customers.map((c) => c.customerId),
        customers.map((c) => c.birthdayMonthDay ?? null),
        customers.map((c) => c.relationshipStartedAt),
        customers.map((c) => c.registeredAt),
      ],
    );
    await this.reschedule(
      manager,
      customers.map((c) => c.customerId),
    );
  }

  /**
   * Purchases (each customer at most once): a purchase restarts the days-without-purchase schedule; an order
   * with a payment due date gets a reminder ahead of it, one with a warranty gets care ahead of its end (when
   * those are still to come). A statement each for all of them.
   */
  async onPurchases(manager: EntityManager, purchases: PurchaseDates[]): Promise<void> {
    if (purchases.length === 0) return;
    // Absolute dates from outside are real time; on a clock moved forward (tests) they keep their distance.
    const shift = await this.clock.offsetMs(manager);
    const now = Date.now() + shift;
    const reminders: Schedule[] = [];
    for (const purchase of purchases) {
      const orderDates: Array<[DateTrigger, string | undefined, number, string]> = [
        [
          'payment-due',
          purchase.paymentDueAt,
          this.config.DATE_TRIGGER_PAYMENT_REMINDER_DAYS,
          'payment of order',
        ],
        [
          'warranty-expiry',
          purchase.warrantyUntil,
          this.config.DATE_TRIGGER_WARRANTY_NOTICE_DAYS,
          'warranty of order',
        ],
      ];
      for (const [trigger, date, noticeDays, what] of orderDates) {
        if (!date) continue;
        const occursAt = Date.parse(date) + shift;
        const dueAt = occursAt - noticeDays * 86_400_000;
        if (dueAt <= now) continue;
        reminders.push({
          customerId: purchase.customerId,
          trigger,
          ref: purchase.orderId,
          occursAt,
          dueAt,
          detail: `${what} ${purchase.orderId} ends ${new Date(occursAt).toISOString().slice(0, 10)}`,
        });
      }
    }
    await this.upsertAll(manager, reminders, now);
    await execute(
      manager,
      `INSERT INTO customer_dates (customer_id, last_purchase_at)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) AS r(id, at) ORDER BY id
       ON CONFLICT (customer_id) DO UPDATE SET last_purchase_at = greatest(customer_dates.last_purchase_at, EXCLUDED.last_purchase_at)`,
      [purchases.map((p) => p.customerId), purchases.map((p) => p.occurredAt)],
    );
    await this.reschedule(
      manager,
      purchases.map((p) => p.customerId),
      ['days-without-purchase'],
      { shift, now },
    );
  }

  /** A payment in full: the order's reminder is no longer needed. */
  async onPaidInFull(manager: EntityManager, customerId: string, orderId: string): Promise<void> {
    await execute(
      manager,
      `DELETE FROM date_schedules WHERE customer_id = $1 AND trigger = 'payment-due' AND ref = $2`,
      [customerId, orderId],
    );
  }

  /**
   * Schedules (at most one per customer, trigger and order) set in one statement, which also tells the timers
   * worker at commit when the soonest is due (its notification is part of the statement: one round trip, not
   * one per schedule and one more per notification). `now` is the campaigns clock's.
   */
  private async upsertAll(manager: EntityManager, schedules: Schedule[], now: number): Promise<void> {
    if (schedules.length === 0) return;
    await execute(
      manager,
      `WITH announced AS (SELECT pg_notify($6, current_schema() || $8))
       INSERT INTO date_schedules (customer_id, trigger, ref, occurs_at, due_at, detail)
       SELECT s.customer_id, s.trigger, s.ref, s.occurs_at, s.due_at, s.detail
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $7::text[])
              AS s(customer_id, trigger, ref, occurs_at, due_at, detail), announced
        ORDER BY s.customer_id
       ON CONFLICT (customer_id, trigger, ref) DO UPDATE SET occurs_at = EXCLUDED.occurs_at, due_at = EXCLUDED.due_at,
         detail = EXCLUDED.detail`,
      [
        schedules.map((s) => s.customerId),
        schedules.map((s) => s.trigger),
        schedules.map((s) => s.ref),
        schedules.map((s) => new Date(s.occursAt)),
        schedules.map((s) => new Date(s.dueAt)),
        CADENCE_TIMERS_CHANNEL,
        schedules.map((s) => s.detail),
        dueIn(Math.min(...schedules.map((s) => s.dueAt)) - now),
      ],
    );
  }

  /**
   * Computes the next due time of each trigger (or of the `only` ones) from the customers' dates and time
   * zones: one read, one delete of the schedules that no longer come, one upsert of the rest. A caller that
   * has already read the campaigns clock passes its `reading`, so the wave has one instant and one read.
   */
  async reschedule(
    manager: EntityManager,
    customerIds: string[],
    only?: DateTrigger[],
    reading?: { shift: number; now: number },
  ): Promise<void> {
    const rows = await queryRows<DatesRow>(
      manager,
      `SELECT d.*, p.time_zone FROM customer_dates d LEFT JOIN contact_preferences p ON p.customer_id = d.customer_id
        WHERE d.customer_id = ANY($1::uuid[])`,
      [customerIds],
    );
    if (rows.length === 0) return;
    const shift = reading?.shift ?? (await this.clock.offsetMs(manager));
    const now = reading?.now ?? Date.now() + shift;
    const gone: Array<{ customerId: string; trigger: DateTrigger }> = [];
    const schedules: Schedule[] = [];
    for (const dates of rows) {
      for (const [trigger, at] of this.nextOf(dates, now, shift, only)) {
        if (at) schedules.push({ customerId: dates.customer_id, trigger, ref: '', ...at });
        else gone.push({ customerId: dates.customer_id, trigger });
      }
    }
    if (gone.length > 0)
      await execute(
        manager,
        `DELETE FROM date_schedules s USING unnest($1::uuid[], $2::text[]) AS g(customer_id, trigger)
          WHERE s.customer_id = g.customer_id AND s.ref = '' AND s.trigger = g.trigger`,
        [gone.map((g) => g.customerId), gone.map((g) => g.trigger)],
      );
    await this.upsertAll(manager, schedules, now);
  }

  /**
   * A customer's next occurrence of each date trigger (null: none to come), or of the `only` ones, on the
   * campaigns clock: `now` is its time, `shift` how far it is ahead of real time (absolute dates from outside
   * keep their distance). Triggers not asked for are not computed: a purchase asks for one, and the annual
   * dates' time-zone arithmetic was a tenth of growth-campaigns' CPU in a bulk import's cascade.
   */
  private nextOf(
    dates: DatesRow,
    now: number,
    shift: number,
    only?: readonly DateTrigger[],
  ): Array<[DateTrigger, Occurrence | null]> {
    const zone = dates.time_zone ?? this.config.CONTACT_DEFAULT_TIME_ZONE;
    const notice = this.config.DATE_TRIGGER_NOTICE_HOURS * 3_600_000;
    const next: Array<[DateTrigger, Occurrence | null]> = [];
    const wanted = (trigger: DateTrigger) => !only || only.includes(trigger);
    if (wanted('birthday')) next.push(['birthday', this.birthdayDue(dates, zone, now, notice)]);
    if (wanted('membership-anniversary'))
      next.push(['membership-anniversary', this.anniversaryDue(dates, zone, now, notice)]);
    if (wanted('days-since-registration'))
      next.push(['days-since-registration', this.registrationDue(dates, now, shift)]);
    if (wanted('days-without-purchase'))
      next.push(['days-without-purchase', this.quietDue(dates, now, shift)]);
    return next;
  }

  private birthdayDue(dates: DatesRow, zone: string, now: number, notice: number): Occurrence | null {
    if (!dates.birthday_md) return null;
    const at = nextAnnual(dates.birthday_md, zone, now, notice);
    return { ...at, detail: `birthday on ${dates.birthday_md} (${zone}), ${notice / 3_600_000} h notice` };
  }

  private anniversaryDue(dates: DatesRow, zone: string, now: number, notice: number): Occurrence | null {
    if (!dates.relationship_started_at) return null;
    const md = monthDayOf(dates.relationship_started_at.getTime(), zone);
    const at = nextAnnual(md, zone, now, notice);
    return { ...at, detail: `membership anniversary on ${md} (${zone})` };
  }

  private registrationDue(dates: DatesRow, now: number, shift: number): Occurrence | null {
    const registration = dates.registered_at
      ? daysAfter(dates.registered_at.getTime() + shift, this.config.DATE_TRIGGER_REGISTRATION_DAYS)
      : undefined;
    return registration && registration > now
      ? {
          occursAt: registration,
          dueAt: registration,
          detail: `${this.config.DATE_TRIGGER_REGISTRATION_DAYS} days since registration`,
        }
      : null;
  }

  private quietDue(dates: DatesRow, now: number, shift: number): Occurrence | null {
    const quiet = dates.last_purchase_at
      ? daysAfter(dates.last_purchase_at.getTime() + shift, this.config.DATE_TRIGGER_NO_PURCHASE_DAYS)
      : undefined;
    return quiet && quiet > now
      ? {
          occursAt: quiet,
          dueAt: quiet,
          detail: `${this.config.DATE_TRIGGER_NO_PURCHASE_DAYS} days without a purchase`,
        }
      : null;
  }

  /** A customer's next date triggers, soonest first. */
  async schedulesOf(customerId: string) {
    const rows = await queryRows<{
      trigger: string;
      ref: string;
      occurs_at: Date;
      due_at: Date;
      detail: string;
    }>(
      this.dataSource,
      'SELECT trigger, ref, occurs_at, due_at, detail FROM date_schedules WHERE customer_id = $1 ORDER BY due_at',
      [customerId],
    );
    return rows.map((r) => ({
      trigger: r.trigger,
      orderId: r.ref || null,
      occursAt: r.occurs_at,
      dueAt: r.due_at,
      detail: r.detail,
    }));
  }

  /** Erasure: no more dates for this customer. */
  async forget(manager: EntityManager, customerId: string): Promise<void> {
    await execute(manager, 'DELETE FROM date_schedules WHERE customer_id = $1', [customerId]);
    await execute(manager, 'DELETE FROM customer_dates WHERE customer_id = $1', [customerId]);
  }

  /** One round: each due schedule is announced, then moved to its next occurrence (or removed), once. */
  async fireDue(limit = 100): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      const due = await queryRows<{
        customer_id: string;
        trigger: DateTrigger;
        ref: string;
        occurs_at: Date;
        due_at: Date;
        detail: string;
      }>(
        manager,
        `SELECT * FROM date_schedules WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, limit],
      );
      for (const schedule of due) {
        await this.outbox.publish(
          manager,
          DateTriggerDue,
          {
            customerId: schedule.customer_id,
            trigger: schedule.trigger,
            occursAt: schedule.occurs_at.toISOString(),
            dueAt: schedule.due_at.toISOString(),
            detail: schedule.detail,
            orderId: schedule.ref || undefined,
          },
          {
            subject: schedule.customer_id,
            correlationId: `date:${schedule.customer_id}:${schedule.trigger}:${schedule.ref}:${schedule.due_at.toISOString()}`,
          },
        );
        fired().inc({ trigger: schedule.trigger });
        await execute(
          manager,
          'DELETE FROM date_schedules WHERE customer_id = $1 AND trigger = $2 AND ref = $3',
          [schedule.customer_id, schedule.trigger, schedule.ref],
        );
        // Yearly ones come round again; one-shots are done until their date changes.
        if (schedule.trigger === 'birthday' || schedule.trigger === 'membership-anniversary')
          await this.reschedule(manager, [schedule.customer_id], [schedule.trigger]);
      }
      return due.length;
    });
  }

  nextDueMs(): Promise<number | undefined> {
    return this.clock.msUntil('SELECT min(due_at) AS at FROM date_schedules');
  }
}
