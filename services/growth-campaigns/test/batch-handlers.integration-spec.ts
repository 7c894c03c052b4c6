import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CustomerRegistered,
  CustomerState,
  PurchaseRecorded,
  VALUE_LOYALTY_SEGMENTS,
  VALUE_TIERS,
  type CustomerRegisteredV1,
  type CustomerStateV1,
  type EventEnvelope,
  type PurchaseRecordedV1,
} from '@crm/contracts';
import { loadConfig } from '@crm/config';
import { OutboxPublisher } from '@crm/messaging';
import { ServiceClock } from '@crm/persistence';
import { batchContext, RUN_CUSTOMERS, takeBothWays, testSchema, type TestSchema } from '@crm/testing';
import { CAMPAIGNS_DEFAULTS, CampaignsConfig } from '../src/campaigns.config';
import { CadencesService } from '../src/cadences/cadences.service';
import { ContactDeadlinesService } from '../src/cadences/contact-deadlines.service';
import { CampaignHandlers } from '../src/care-actions/campaign.handlers';
import { CareActionsService } from '../src/care-actions/care-actions.service';
import type { StaffNotifications } from '../src/care-actions/staff-notifications';
import { DateTriggersService } from '../src/dates/date-triggers.service';
import { JourneysService } from '../src/journeys/journeys.service';
import { CAMPAIGN_MIGRATIONS } from '../src/migrations';
import { TemplatesService } from '../src/templates/templates.service';

/**
 * growth-campaigns takes runs of registrations, purchases and state snapshots together (one transaction, a
 * statement per wave of customers for consents, owners, preferences, dates, attributes and cadences).
 * Whatever the run, the outcome must be the one of taking the same events one by one, each in its own
 * transaction: the same rows and the same journeys, care actions and events (real Postgres, the service's
 * own migrations and seeded playbooks).
 */
interface Side {
  tables: TestSchema;
  handlers: CampaignHandlers;
}

let one: Side;
let batched: Side;

async function side(name: string): Promise<Side> {
  const tables = await testSchema(name, CAMPAIGN_MIGRATIONS);
  const { dataSource } = tables;
  const config = loadConfig(
    CampaignsConfig,
    {
      SERVICE_NAME: 'growth-campaigns',
      DATABASE_URL: process.env.DATABASE_URL,
      KAFKA_BROKERS: 'localhost:9092',
      PORT: '3000',
      JWT_SECRET: 'x'.repeat(32),
    },
    CAMPAIGNS_DEFAULTS,
  );
  const outbox = new OutboxPublisher({
    serviceName: 'growth-campaigns',
    schema: tables.schema,
    brokers: '',
    databaseUrl: process.env.DATABASE_URL!,
  });
  const clock = new ServiceClock(dataSource, false);
  const cadences = new CadencesService(dataSource, outbox, clock, config);
  const deadlines = new ContactDeadlinesService(dataSource, cadences, clock, config);
  const careActions = new CareActionsService(outbox, config, clock, deadlines);
  const journeys = new JourneysService(
    dataSource,
    careActions,
    config,
    clock,
    new TemplatesService(dataSource, config),
    cadences,
    outbox,
  );
  const dates = new DateTriggersService(dataSource, outbox, clock, config);
  const handlers = new CampaignHandlers(
    journeys,
    cadences,
    deadlines,
    dates,
    config,
    {} as StaffNotifications,
  );
  return { tables, handlers };
}

beforeAll(async () => {
  one = await side('campaigns_batch_one');
  batched = await side('campaigns_batch_run');
});

afterAll(async () => {
  await one?.tables.drop();
  await batched?.tables.drop();
});

const CUSTOMERS = RUN_CUSTOMERS;
const DAY = 86_400_000;
const CHANNELS = ['email', 'sms'] as const;
const PURPOSES = ['marketing', 'service'] as const;

const registered = fc.record({
  kind: fc.constant('registered' as const),
  customer: fc.nat({ max: CUSTOMERS.length - 1 }),
  startedDaysAgo: fc.integer({ min: 0, max: 2000 }),
  birthdayMonthDay: fc.option(fc.constantFrom('01-15', '02-29', '07-04', '12-31'), { nil: undefined }),
  owner: fc.option(fc.constantFrom('am-1', 'am-2'), { nil: undefined }),
  timeZone: fc.option(fc.constantFrom('Europe/Berlin', 'Asia/Shanghai'), { nil: undefined }),
  locale: fc.option(fc.constantFrom('en', 'zh-CN'), { nil: undefined }),
  contactFrequency: fc.option(fc.constantFrom('normal', 'reduced'), { nil: undefined }),
  // Repeats of one channel and purpose, some at the same time, to see which one stays.
  consents: fc.array(
    fc.record({
      channel: fc.constantFrom(...CHANNELS),
      purpose: fc.constantFrom(...PURPOSES),
      granted: fc.boolean(),
      daysAgo: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 4 },
  ),
  historical: fc.boolean(),
});
const purchase = fc.record({
  kind: fc.constant('purchase' as const),
  customer: fc.nat({ max: CUSTOMERS.length - 1 }),
  order: fc.nat({ max: 12 }),
  daysAgo: fc.integer({ min: 0, max: 400 }),
  paymentDueInDays: fc.option(fc.integer({ min: -5, max: 60 }), { nil: undefined }),
  warrantyInDays: fc.option(fc.integer({ min: -5, max: 800 }), { nil: undefined }),
  firstPurchase: fc.boolean(),
  historical: fc.boolean(),
});
const state = fc.record({
  kind: fc.constant('state' as const),
  customer: fc.nat({ max: CUSTOMERS.length - 1 }),
  // Revisions out of order too: an older snapshot than the one kept changes nothing.
  revision: fc.integer({ min: 1, max: 6 }),
  valueTier: fc.option(fc.constantFrom(...VALUE_TIERS), { nil: undefined }),
  valueLoyaltySegment: fc.option(fc.constantFrom(...VALUE_LOYALTY_SEGMENTS), { nil: undefined }),
  customSegments: fc.subarray(['vip', 'pumps']),
});
type Generated = Shape<typeof registered> | Shape<typeof purchase> | Shape<typeof state>;
type Shape<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** Runs of one handler each; a run is what the transport hands over together. */
const runs = fc.array(
  fc.oneof(
    fc.array(registered, { minLength: 1, maxLength: 6 }),
    fc.array(purchase, { minLength: 1, maxLength: 10 }),
    fc.array(state, { minLength: 1, maxLength: 10 }),
  ),
  { minLength: 1, maxLength: 5 },
);

function envelope(generated: Generated, now: number): EventEnvelope {
  const customerId = CUSTOMERS[generated.customer];
  const meta = { id: randomUUID(), subject: customerId, correlationId: randomUUID() };
  const iso = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  if (generated.kind === 'registered') {
    const started = iso(generated.startedDaysAgo);
    return {
      ...meta,
      source: '/crm/customer-profile',
      type: CustomerRegistered.type,
      time: generated.historical ? started : new Date(now).toISOString(),
      historical: generated.historical || undefined,
      data: {
        customerId,
        kind: 'company',
        registeredAt: started,
        relationshipStartedAt: started,
        birthdayMonthDay: generated.birthdayMonthDay,
        owner: generated.owner,
        timeZone: generated.timeZone,
        locale: generated.locale,
        contactFrequency: generated.contactFrequency,
        consents: generated.consents.map((c) => ({
          channel: c.channel,
          purpose: c.purpose,
          granted: c.granted,
          changedAt: iso(c.daysAgo),
        })),
      } as CustomerRegisteredV1,
    };
  }
  if (generated.kind === 'purchase') {
    const occurredAt = iso(generated.daysAgo);
    const inDays = (days: number | undefined) =>
      days === undefined ? undefined : new Date(now + days * DAY).toISOString();
    return {
      ...meta,
      source: '/crm/customer-profile',
      type: PurchaseRecorded.type,
      time: generated.historical ? occurredAt : new Date(now).toISOString(),
      historical: generated.historical || undefined,
      data: {
        customerId,
        orderId: `SO-${generated.order}`,
        amount: 1000,
        currency: 'EUR',
        occurredAt,
        firstPurchase: generated.firstPurchase,
        paymentDueAt: inDays(generated.paymentDueInDays),
        warrantyUntil: inDays(generated.warrantyInDays),
        items: [{ sku: 'PUMP-200', category: 'pumps', quantity: 1, unitPrice: 1000 }],
      } as PurchaseRecordedV1,
    };
  }
  return {
    ...meta,
    source: '/crm/tagging',
    type: CustomerState.type,
    time: new Date(now).toISOString(),
    data: {
      customerId,
      revision: generated.revision,
      valueTier: generated.valueTier,
      valueLoyaltySegment: generated.valueLoyaltySegment,
      tags: [],
      customSegments: generated.customSegments,
      consents: [],
      updatedAt: new Date(now).toISOString(),
    } as CustomerStateV1,
  };
}

async function handle(side: Side, events: EventEnvelope[], manager: EntityManager): Promise<void> {
  const context = batchContext(events, manager);
  if (events[0].type === CustomerRegistered.type)
    await side.handlers.onRegistered(events as EventEnvelope<CustomerRegisteredV1>[], context);
  else if (events[0].type === PurchaseRecorded.type)
    await side.handlers.onPurchases(events as EventEnvelope<PurchaseRecordedV1>[], context);
  else await side.handlers.onCustomerStates(events as EventEnvelope<CustomerStateV1>[], context);
}

/** What growth-campaigns holds and has queued to publish, without the ids and times of the moment. */
async function outcome(db: DataSource): Promise<Record<string, unknown>> {
  const rows = async (sql: string) => JSON.parse(JSON.stringify(await db.query(sql))) as unknown[];
  const outbox = (await db.query('SELECT message_key, event_type, payload FROM outbox ORDER BY seq')) as {
    message_key: string;
    event_type: string;
    payload: string;
  }[];
  const events: Record<string, unknown[]> = {};
  // Ids made at the moment (a care action's, a run's) and times of the moment are left out.
  const MOMENT = new Set([
    'id',
    'touchId',
    'careActionId',
    'runId',
    'idempotencyKey',
    'triggeredAt',
    'dueAt',
    'at',
  ]);
  for (const row of outbox) {
    const payload = Object.fromEntries(
      Object.entries(JSON.parse(row.payload) as Record<string, unknown>).filter(([key]) => !MOMENT.has(key)),
    );
    (events[row.message_key] ??= []).push({ type: row.event_type, payload });
  }
  return {
    consents: await rows('SELECT * FROM consents ORDER BY customer_id, channel, purpose'),
    owners: await rows('SELECT * FROM customer_owners ORDER BY customer_id'),
    preferences: await rows('SELECT * FROM contact_preferences ORDER BY customer_id'),
    dates: await rows('SELECT * FROM customer_dates ORDER BY customer_id'),
    schedules: await rows(
      'SELECT customer_id, trigger, ref, occurs_at, due_at, detail FROM date_schedules ORDER BY customer_id, trigger, ref',
    ),
    attributes: await rows('SELECT * FROM customer_attributes ORDER BY customer_id'),
    // A new timer starts at the moment it is set: the interval and the key are what must agree.
    cadences: await rows(
      `SELECT customer_id, cadence_key, interval_days, due_at - last_contact_at AS period
         FROM cadence_timers ORDER BY customer_id`,
    ),
    runs: await rows(
      'SELECT customer_id, journey_id, version, status, step FROM journey_runs ORDER BY customer_id, journey_id',
    ),
    // Every column in the order: a customer may hold several actions of one kind (one triggered, one
    // suppressed), which the order of the events above already holds to account.
    careActions: await rows(
      `SELECT customer_id, action, channel, purpose, status FROM care_actions
        ORDER BY customer_id, action, channel, purpose, status`,
    ),
    events,
  };
}

async function truncate(db: DataSource): Promise<void> {
  await db.query(
    `TRUNCATE consents, customer_owners, contact_preferences, customer_dates, date_schedules, customer_attributes,
              cadence_timers, journey_runs, care_actions, outbox CASCADE`,
  );
}

describe('growth-campaigns batch handlers', () => {
  it('leave what the same events leave one by one, whatever the run', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (generated) => {
        await truncate(one.tables.dataSource);
        await truncate(batched.tables.dataSource);
        const now = Date.now();
        const all = generated.map((run) => run.map((g) => envelope(g, now)));
        await takeBothWays(all, one, batched, handle);
        expect(await outcome(batched.tables.dataSource)).toEqual(await outcome(one.tables.dataSource));
      }),
      { numRuns: 40 },
    );
  });

  it('keep the latest of repeated consents and the newest snapshot, in one run', async () => {
    await truncate(batched.tables.dataSource);
    const now = Date.now();
    const customerId = CUSTOMERS[2];
    const registration = envelope(
      {
        kind: 'registered',
        customer: 2,
        startedDaysAgo: 10,
        birthdayMonthDay: undefined,
        owner: 'am-1',
        timeZone: 'Asia/Shanghai',
        locale: undefined,
        contactFrequency: undefined,
        consents: [
          { channel: 'email', purpose: 'marketing', granted: true, daysAgo: 1 },
          { channel: 'email', purpose: 'marketing', granted: false, daysAgo: 1 },
          { channel: 'email', purpose: 'marketing', granted: true, daysAgo: 2 },
        ],
        historical: true,
      },
      now,
    );
    const snapshots = [5, 3].map((revision) =>
      envelope(
        {
          kind: 'state',
          customer: 2,
          revision,
          valueTier: revision === 5 ? 'high-value' : 'silent',
          valueLoyaltySegment: 'core',
          customSegments: [],
        },
        now,
      ),
    );
    await batched.tables.dataSource.transaction(async (manager) => {
      await handle(batched, [registration], manager);
      await handle(batched, snapshots, manager);
    });
    const db = batched.tables.dataSource;
    expect(await db.query('SELECT granted FROM consents WHERE customer_id = $1', [customerId])).toEqual([
      { granted: false },
    ]);
    expect(
      await db.query('SELECT revision, value_tier FROM customer_attributes WHERE customer_id = $1', [
        customerId,
      ]),
    ).toEqual([{ revision: 5, value_tier: 'high-value' }]);
    expect(await db.query('SELECT owner FROM customer_owners WHERE customer_id = $1', [customerId])).toEqual([
      { owner: 'am-1' },
    ]);
  });
});
