import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CustomerRegistered,
  PurchaseRecorded,
  ReferralAttributed,
  type CustomerRegisteredV1,
  type EventEnvelope,
  type PurchaseRecordedV1,
} from '@crm/contracts';
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
const MOMENT = new Set(['entryId', 'rewardId', 'qualifiedAt', 'grantedAt', 'attributedAt', 'rejectedAt']);

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
    const moment = [
      ...(parsed.source === 'referral' ? ['occurredAt', 'expiresAt'] : []),
      // An attribution makes up its referral's id.
      ...(row.event_type === ReferralAttributed.type ? ['referralId'] : []),
    ];
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
    // A member's code is made up when it is first stored; that it has one is checked where members are made.
    members: await rows(
      'SELECT customer_id, email_hash, phone_hash, first_purchase_order_id FROM members ORDER BY customer_id',
    ),
    referrals: await rows(
      `SELECT referrer_id, referee_id, code, status, held_reason, qualifying_order_id FROM referrals
        ORDER BY referee_id`,
    ),
    rejected: await rows('SELECT referee_id, code, reason FROM rejected_referrals ORDER BY referee_id, code'),
    rewards: await rows('SELECT customer_id, role, points FROM rewards ORDER BY customer_id, role'),
    events,
  };
}

async function reset(db: DataSource, referred: boolean): Promise<void> {
  await db.query(
    'TRUNCATE points_entries, points_balances, members, referrals, rejected_referrals, rewards, outbox CASCADE',
  );
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

/** Members stored before each registration run: customers 0 and 3, whose codes the registrations may give. */
const CODES = ['CODE0AAA', 'CODE3AAA'] as const;
const HASHES = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)] as const;

async function seedMembers(db: DataSource): Promise<void> {
  await reset(db, false);
  await db.query(
    `INSERT INTO members (customer_id, code, email_hash, registered_at)
     VALUES ($1, $2, $3, '2024-01-01T00:00:00Z'), ($4, $5, NULL, '2024-01-01T00:00:00Z')`,
    [CUSTOMERS[0], CODES[0], HASHES[0], CUSTOMERS[3], CODES[1]],
  );
}

const registration = fc.record({
  customer: fc.nat({ max: CUSTOMERS.length - 1 }),
  // No code, a member's code (in either case), or a code nobody has.
  code: fc.constantFrom(undefined, CODES[0], CODES[1], CODES[0].toLowerCase(), 'NOPECODE'),
  // Shared e-mail hashes: the referrer's own (self-referral), another referee's (held for review).
  emailHash: fc.option(fc.constantFrom(...HASHES), { nil: undefined }),
  phoneHash: fc.option(fc.constantFrom(...HASHES), { nil: undefined }),
  day: fc.integer({ min: 1, max: 28 }),
});
type Registration = typeof registration extends fc.Arbitrary<infer T> ? T : never;

function registered(generated: Registration): EventEnvelope<CustomerRegisteredV1> {
  const customerId = CUSTOMERS[generated.customer];
  const at = `2024-05-${String(generated.day).padStart(2, '0')}T09:30:00.000Z`;
  return {
    id: randomUUID(),
    source: '/crm/customer-profile',
    subject: customerId,
    correlationId: randomUUID(),
    type: CustomerRegistered.type,
    time: at,
    data: {
      customerId,
      externalRef: `C-${generated.customer}`,
      kind: 'person',
      registeredAt: at,
      relationshipStartedAt: at,
      referredByCode: generated.code,
      emailHash: generated.emailHash,
      phoneHash: generated.phoneHash,
      consents: [],
    },
  };
}

async function register(side: Side, events: EventEnvelope<CustomerRegisteredV1>[], manager: EntityManager) {
  await side.handlers.onRegistrations(events, batchContext(events, manager));
}

/** What registrations leave that purchases do not: when each member registered, and that each has a code. */
async function registrations(db: DataSource): Promise<unknown[]> {
  return JSON.parse(
    JSON.stringify(
      await db.query(
        `SELECT customer_id, registered_at, code ~ '^[A-Z0-9]{8}$' AS coded FROM members ORDER BY customer_id`,
      ),
    ),
  ) as unknown[];
}

describe('referral registration runs', () => {
  it('leave what the same registrations leave one by one, whatever the run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(registration, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 }),
        async (generated) => {
          await seedMembers(one.tables.dataSource);
          await seedMembers(batched.tables.dataSource);
          await takeBothWays(
            generated.map((run) => run.map(registered)),
            one,
            batched,
            register,
          );
          expect(await outcome(batched.tables.dataSource)).toEqual(await outcome(one.tables.dataSource));
          const members = await registrations(batched.tables.dataSource);
          expect(members).toEqual(await registrations(one.tables.dataSource));
          expect(members).not.toContainEqual(expect.objectContaining({ coded: false }));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('stores the members before a registration with a code, which may name one of them as its referrer', async () => {
    await seedMembers(batched.tables.dataSource);
    const db = batched.tables.dataSource;
    const run = [
      { customer: 1, code: undefined, emailHash: HASHES[1], phoneHash: undefined, day: 1 },
      { customer: 2, code: CODES[1], emailHash: HASHES[1], phoneHash: undefined, day: 2 },
      { customer: 1, code: CODES[0].toLowerCase(), emailHash: HASHES[1], phoneHash: undefined, day: 3 },
      { customer: 3, code: 'NOPECODE', emailHash: undefined, phoneHash: undefined, day: 4 },
      { customer: 2, code: undefined, emailHash: undefined, phoneHash: HASHES[2], day: 5 },
    ].map(registered);
    await db.transaction((manager) => register(batched, run, manager));
    const lower = (i: number) => CUSTOMERS[i].toLowerCase();
    expect(
      await db.query('SELECT referrer_id, referee_id, code, held_reason FROM referrals ORDER BY referee_id'),
    ).toEqual([
      // Customer 1 shares the e-mail of customer 2, referred before it in the same run: held.
      { referrer_id: lower(0), referee_id: lower(1), code: CODES[0], held_reason: 'shared-contact' },
      // Customer 2 shares customer 1's e-mail, but customer 1 was not referred yet: no hold.
      { referrer_id: lower(3), referee_id: lower(2), code: CODES[1], held_reason: null },
    ]);
    expect(await db.query('SELECT referee_id, code, reason FROM rejected_referrals')).toEqual([
      { referee_id: lower(3), code: 'NOPECODE', reason: 'unknown-code' },
    ]);
    expect(
      await db.query('SELECT customer_id, email_hash, phone_hash FROM members ORDER BY customer_id'),
    ).toEqual(
      [
        { customer_id: lower(0), email_hash: HASHES[0], phone_hash: null },
        { customer_id: lower(1), email_hash: HASHES[1], phone_hash: null },
        { customer_id: lower(2), email_hash: null, phone_hash: HASHES[2] },
        { customer_id: lower(3), email_hash: null, phone_hash: null },
      ].sort((a, b) => a.customer_id.localeCompare(b.customer_id)),
    );
  });
});
