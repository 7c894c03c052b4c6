import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { PurchaseRecorded, type EventEnvelope, type PurchaseRecordedV1 } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { ServiceClock } from '@crm/persistence';
import { batchContext, RUN_CUSTOMERS, takeBothWays, testSchema, type TestSchema } from '@crm/testing';
import { ReferralTables1732500000500 } from '../src/migrations/1732500000500-referral-tables';
import { PointsLedger1732500000510 } from '../src/migrations/1732500000510-points-ledger';
import { Clawbacks1732500000520 } from '../src/migrations/1732500000520-clawbacks';
import { ReferralHolds1732500000530 } from '../src/migrations/1732500000530-referral-holds';
import { PointsLedger } from '../src/points/points-ledger';
import { PointsEarnings } from '../src/points/points.handlers';
import type { ReferralConfig } from '../src/referral.config';
import { ReferralHandlers } from '../src/referrals/referral.handlers';
import { ReferralRewards } from '../src/referrals/referral-rewards';

/**
 * referral takes a run of purchases together: the points of a wave of customers with three statements, the
 * first purchases' member rows with one, and a run in which a first purchase qualifies a referral one by
 * one. Whatever the run, the outcome must be the one of taking the same purchases one by one, each in its
 * own transaction: the same ledger (lots, balances after each, balances), members, referrals and rewards,
 * and the same events in each customer's order (real Postgres, the service's own migrations).
 */
interface Side {
  tables: TestSchema;
  handlers: ReferralHandlers;
}

let one: Side;
let batched: Side;

const config = {
  REFERRAL_REWARD_POINTS: 100,
  REFERRAL_CORE_BONUS_PERCENT: 50,
  POINTS_EXPIRY_POLL_MS: 60_000,
  REFERRAL_RETURN_WINDOW_DAYS: 30,
  REFERRAL_VELOCITY_LIMIT: 10,
  REFERRAL_VELOCITY_WINDOW_HOURS: 24,
} as ReferralConfig;

async function side(name: string): Promise<Side> {
  const tables = await testSchema(name, [
    ReferralTables1732500000500,
    PointsLedger1732500000510,
    Clawbacks1732500000520,
    ReferralHolds1732500000530,
  ]);
  const { dataSource } = tables;
  const outbox = new OutboxPublisher({
    serviceName: 'referral',
    schema: tables.schema,
    brokers: '',
    databaseUrl: process.env.DATABASE_URL!,
  });
  const clock = new ServiceClock(dataSource, false);
  const points = new PointsEarnings(new PointsLedger(dataSource, clock), dataSource, outbox, clock);
  const rewards = new ReferralRewards(config, points, dataSource, outbox);
  return { tables, handlers: new ReferralHandlers(config, points, rewards, outbox) };
}

beforeAll(async () => {
  one = await side('referral_purchases_one');
  batched = await side('referral_purchases_run');
});

afterAll(async () => {
  await one?.tables.drop();
  await batched?.tables.drop();
});

const CUSTOMERS = RUN_CUSTOMERS;
const REFERRAL_ID = '11111111-1111-4111-8111-111111111111';
const DAY = 86_400_000;

const purchase = fc.record({
  customer: fc.nat({ max: CUSTOMERS.length - 1 }),
  // Few order ids, so that one order comes twice (a repeat earns nothing).
  order: fc.nat({ max: 8 }),
  // Some too old to earn (the purchase rule's points expire after 365 days).
  daysAgo: fc.integer({ min: 0, max: 400 }),
  amount: fc.integer({ min: 0, max: 100_000 }),
  firstPurchase: fc.boolean(),
  historical: fc.boolean(),
});
type Purchase = typeof purchase extends fc.Arbitrary<infer T> ? T : never;
/** Runs of purchases, as the transport hands them over; and whether customer 1 was referred by customer 0. */
const scenario = fc.record({
  runs: fc.array(fc.array(purchase, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 }),
  referred: fc.boolean(),
});

function envelope(generated: Purchase, now: number): EventEnvelope<PurchaseRecordedV1> {
  const customerId = CUSTOMERS[generated.customer];
  const occurredAt = new Date(now - generated.daysAgo * DAY).toISOString();
  return {
    id: randomUUID(),
    source: '/crm/customer-profile',
    subject: customerId,
    correlationId: randomUUID(),
    type: PurchaseRecorded.type,
    time: generated.historical ? occurredAt : new Date(now).toISOString(),
    historical: generated.historical || undefined,
    data: {
      customerId,
      orderId: `SO-${generated.order}`,
      amount: generated.amount,
      currency: 'EUR',
      occurredAt,
      firstPurchase: generated.firstPurchase,
      items: [{ sku: 'PUMP-200', category: 'pumps', quantity: 1, unitPrice: generated.amount }],
    } as PurchaseRecordedV1,
  };
}

async function handle(
  side: Side,
  events: EventEnvelope<PurchaseRecordedV1>[],
  manager: EntityManager,
): Promise<void> {
  const context = batchContext(events, manager);
  await side.handlers.onPurchases(events, context);
}

/** Ids and times made at the moment the events were taken. */
const MOMENT = new Set(['entryId', 'rewardId', 'qualifiedAt', 'grantedAt']);

/** What referral holds and has queued to publish. */
async function outcome(db: DataSource): Promise<Record<string, unknown>> {
  const rows = async (sql: string) => JSON.parse(JSON.stringify(await db.query(sql))) as unknown[];
  const outbox = (await db.query(
    'SELECT message_key, event_type, headers, payload FROM outbox ORDER BY seq',
  )) as {
    message_key: string;
    event_type: string;
    headers: Record<string, string>;
    payload: string;
  }[];
  const events: Record<string, unknown[]> = {};
  for (const row of outbox) {
    const parsed = JSON.parse(row.payload) as Record<string, unknown>;
    const moment = parsed.source === 'referral' ? ['occurredAt', 'expiresAt'] : [];
    const payload = Object.fromEntries(
      Object.entries(parsed).filter(([key]) => !MOMENT.has(key) && !moment.includes(key)),
    );
    // The headers say the cause, the correlation and whether it is history; id, time and trace are the moment's.
    const { ce_id, ce_time, traceparent, tracestate, ...headers } = row.headers;
    void [ce_id, ce_time, traceparent, tracestate];
    (events[row.message_key] ??= []).push({ type: row.event_type, headers, payload });
  }
  return {
    entries: await rows(
      // A reward is earned at the moment the referral qualifies: its times are the moment's.
      `SELECT customer_id, movement, points, balance_after, source, reason, idempotency_key, remaining,
              CASE WHEN source = 'referral' THEN NULL ELSE expires_at END AS expires_at,
              CASE WHEN source = 'referral' THEN NULL ELSE occurred_at END AS occurred_at
         FROM points_entries ORDER BY customer_id, balance_after, idempotency_key`,
    ),
    balances: await rows(
      'SELECT customer_id, balance, earned_total FROM points_balances ORDER BY customer_id',
    ),
    members: await rows('SELECT customer_id, first_purchase_order_id FROM members ORDER BY customer_id'),
    referrals: await rows('SELECT id, status, qualifying_order_id FROM referrals ORDER BY id'),
    rewards: await rows('SELECT customer_id, role, points FROM rewards ORDER BY customer_id, role'),
    events,
  };
}

async function reset(db: DataSource, referred: boolean): Promise<void> {
  await db.query('TRUNCATE points_entries, points_balances, members, referrals, rewards, outbox CASCADE');
  if (referred)
    await db.query(
      `INSERT INTO referrals (id, referrer_id, referee_id, code, status, attributed_at)
       VALUES ($1, $2, $3, 'CODE0', 'attributed', now())`,
      [REFERRAL_ID, CUSTOMERS[0], CUSTOMERS[1]],
    );
}

describe('referral purchase runs', () => {
  it('leave what the same purchases leave one by one, whatever the run', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ runs, referred }) => {
        await reset(one.tables.dataSource, referred);
        await reset(batched.tables.dataSource, referred);
        const now = Date.now();
        const all = runs.map((run) => run.map((g) => envelope(g, now)));
        await takeBothWays(all, one, batched, handle);
        expect(await outcome(batched.tables.dataSource)).toEqual(await outcome(one.tables.dataSource));
      }),
      { numRuns: 40 },
    );
  });

  it('credits each customer of a run with the balance after each purchase, once per order', async () => {
    await reset(batched.tables.dataSource, false);
    const now = Date.now();
    const run = [
      { customer: 2, order: 1, daysAgo: 1, amount: 1_000, firstPurchase: true, historical: true },
      { customer: 3, order: 2, daysAgo: 1, amount: 500, firstPurchase: true, historical: true },
      { customer: 2, order: 3, daysAgo: 0, amount: 2_000, firstPurchase: false, historical: false },
      { customer: 2, order: 1, daysAgo: 1, amount: 1_000, firstPurchase: false, historical: true },
    ].map((g) => envelope(g, now));
    await batched.tables.dataSource.transaction((manager) => handle(batched, run, manager));
    const db = batched.tables.dataSource;
    expect(
      await db.query(
        'SELECT customer_id, points, balance_after FROM points_entries ORDER BY customer_id, balance_after',
      ),
    ).toEqual([
      { customer_id: CUSTOMERS[2].toLowerCase(), points: 10, balance_after: 10 },
      { customer_id: CUSTOMERS[2].toLowerCase(), points: 20, balance_after: 30 },
      { customer_id: CUSTOMERS[3], points: 5, balance_after: 5 },
    ]);
    expect(
      await db.query('SELECT customer_id, first_purchase_order_id FROM members ORDER BY customer_id'),
    ).toEqual([
      { customer_id: CUSTOMERS[2].toLowerCase(), first_purchase_order_id: 'SO-1' },
      { customer_id: CUSTOMERS[3], first_purchase_order_id: 'SO-2' },
    ]);
  });
});
