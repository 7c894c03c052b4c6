import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import type { Purpose } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { ServiceClock } from '@crm/persistence';
import { testSchema, type TestSchema } from '@crm/testing';
import type { CampaignsConfig } from '../src/campaigns.config';
import type { ContactDeadlinesService } from '../src/cadences/contact-deadlines.service';
import { CareActionsService } from '../src/care-actions/care-actions.service';
import { decideCareAction } from '../src/care-actions/care-policy';
import { CAMPAIGN_MIGRATIONS } from '../src/migrations';

/**
 * The contact budget reads everything it decides on in one statement. For generated customers (time zone,
 * reduced contact, tier and value-loyalty segment, consents per channel and purpose, earlier touches inside
 * and outside the window, service moments open or closed, excluded categories) and generated touches
 * (purpose, a channel or `auto`, a category or none), the touch decided against real Postgres is the one
 * the policy decides on the same facts worked out here from the rows the test wrote.
 */
let tables: TestSchema;
const config = {
  CONTACT_QUIET_HOURS: '21:00-08:00',
  CARE_FREQUENCY_CAP: 3,
  CONTACT_DEFAULT_TIME_ZONE: 'UTC',
} as CampaignsConfig;
const CHANNELS = ['email', 'sms', 'phone', 'app-push'] as const;
const DAY = 86_400_000;
let dataSource: DataSource;
let service: CareActionsService;
let caps: { key: string; precedence: number; touches: number; window_days: number }[];
let segmentChannels: { key: string; precedence: number; channel: string }[];

beforeAll(async () => {
  tables = await testSchema('campaigns_budget', CAMPAIGN_MIGRATIONS);
  dataSource = tables.dataSource;
  const outbox = new OutboxPublisher({
    serviceName: 'growth-campaigns',
    schema: tables.schema,
    brokers: '',
    databaseUrl: process.env.DATABASE_URL!,
  });
  // Touches here have no contact deadline, so the deadlines service is never asked.
  service = new CareActionsService(
    outbox,
    config,
    new ServiceClock(dataSource, false),
    {} as ContactDeadlinesService,
  );
  caps = await dataSource.query('SELECT key, precedence, touches, window_days FROM contact_caps');
  segmentChannels = await dataSource.query('SELECT key, precedence, channel FROM segment_channels');
});

afterAll(() => tables.drop());

/** The first row (by precedence) whose key is `*`, the customer's tier or value-loyalty segment. */
function firstMatch<T extends { key: string; precedence: number }>(
  rows: T[],
  tier: string | null,
  segment: string | null,
): T | undefined {
  const keys = new Set(['*', `tier:${tier}`, `value-loyalty:${segment}`]);
  return rows.filter((r) => keys.has(r.key)).sort((a, b) => a.precedence - b.precedence)[0];
}

const customerState = fc.record({
  timeZone: fc.constantFrom(null, 'Asia/Shanghai', 'Europe/Berlin', 'America/New_York'),
  reduced: fc.option(fc.boolean(), { nil: null }),
  tier: fc.constantFrom(null, 'high-value', 'potential', 'stable', 'silent'),
  segment: fc.constantFrom(null, 'core', 'potential', 'churn-warning', 'general'),
  attributes: fc.boolean(),
  consents: fc.array(
    fc.record({
      channel: fc.constantFrom(...CHANNELS),
      purpose: fc.constantFrom<Purpose>('marketing', 'service'),
      granted: fc.boolean(),
    }),
    { maxLength: 6 },
  ),
  // Earlier touches: days ago and status; 8 and more days ago is outside every window here (7 days).
  touches: fc.array(
    fc.record({
      daysAgo: fc.integer({ min: 0, max: 20 }),
      status: fc.constantFrom('triggered', 'delivered', 'suppressed'),
    }),
    { maxLength: 6 },
  ),
  moments: fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 2 }),
  exclusions: fc.subarray(['appliances', 'finance']),
});
const touchSpec = fc.record({
  purpose: fc.constantFrom<Purpose>('marketing', 'service'),
  channel: fc.constantFrom('auto', ...CHANNELS),
  category: fc.constantFrom(null, 'appliances', 'finance'),
});

describe('the contact budget against Postgres', () => {
  it('decides each generated touch as the policy does on the facts the rows hold', async () => {
    const now = new Date();
    await fc.assert(
      fc.asyncProperty(customerState, touchSpec, async (state, touch) => {
        const customerId = randomUUID();
        const q = (sql: string, parameters: unknown[]) => dataSource.query(sql, parameters);
        if (state.timeZone || state.reduced !== null)
          await q(
            `INSERT INTO contact_preferences (customer_id, time_zone, contact_frequency) VALUES ($1, $2, $3)`,
            [customerId, state.timeZone, state.reduced ? 'reduced' : 'normal'],
          );
        if (state.attributes)
          await q(
            `INSERT INTO customer_attributes (customer_id, revision, value_tier, value_loyalty_segment)
             VALUES ($1, 1, $2, $3)`,
            [customerId, state.tier, state.segment],
          );
        const consents = new Map(state.consents.map((c) => [`${c.channel}:${c.purpose}`, c]));
        for (const c of consents.values())
          await q(
            `INSERT INTO consents (customer_id, channel, purpose, granted, changed_at) VALUES ($1, $2, $3, $4, now())`,
            [customerId, c.channel, c.purpose, c.granted],
          );
        for (const t of state.touches)
          await q(
            `INSERT INTO care_actions (id, customer_id, playbook_id, action, purpose, channel, status, idempotency_key,
               trigger_event_id, created_at)
             VALUES ($1, $2, 'spec', 'spec', 'service', 'email', $3, $5, 'spec', $4)`,
            [
              randomUUID(),
              customerId,
              t.status,
              new Date(now.getTime() - t.daysAgo * DAY - 60_000),
              randomUUID(),
            ],
          );
        for (const days of state.moments)
          await q(`INSERT INTO service_moments (customer_id, ticket_id, until) VALUES ($1, $2, $3)`, [
            customerId,
            randomUUID(),
            new Date(now.getTime() + days * DAY + (days >= 0 ? 60_000 : -60_000)),
          ]);
        for (const category of state.exclusions)
          await q(`INSERT INTO category_exclusions (customer_id, category) VALUES ($1, $2)`, [
            customerId,
            category,
          ]);

        // The facts, worked out from what was written.
        const tier = state.attributes ? state.tier : null;
        const segment = state.attributes ? state.segment : null;
        const cap = firstMatch(caps, tier, segment);
        const channel =
          touch.channel === 'auto'
            ? (firstMatch(segmentChannels, tier, segment)?.channel ?? 'email')
            : touch.channel;
        const windowDays = cap?.window_days ?? 7;
        const expected = decideCareAction({
          purpose: touch.purpose,
          marketingConsent: consents.get(`${channel}:marketing`)?.granted,
          serviceConsent: consents.get(`${channel}:service`)?.granted,
          recentTouches: state.touches.filter((t) => t.status !== 'suppressed' && t.daysAgo < windowDays)
            .length,
          frequencyCap: cap?.touches ?? config.CARE_FREQUENCY_CAP,
          reducedContact: state.reduced ?? false,
          inServiceMoment: state.moments.some((days) => days >= 0),
          categoryExcluded: touch.category !== null && state.exclusions.includes(touch.category),
          now,
          timeZone: state.timeZone ?? 'UTC',
          quietHours: { from: 21 * 60, to: 8 * 60 },
        });

        const key = randomUUID();
        const decided = await dataSource.transaction((manager) =>
          service.decideTouch(
            manager,
            {
              source: 'spec',
              action: 'spec-touch',
              purpose: touch.purpose,
              channel: touch.channel,
              contactDueHours: null,
              category: touch.category,
            },
            { idempotencyKey: key, triggerEventId: key, cause: { eventId: key, correlationId: key } },
            customerId,
            now,
          ),
        );
        expect(decided).toBe(expected.status);
        const [row] = (await q(
          'SELECT channel, status, reason, next_attempt_at FROM care_actions WHERE idempotency_key = $1',
          [key],
        )) as { channel: string; status: string; reason: string | null; next_attempt_at: Date }[];
        expect(row.channel).toBe(channel);
        expect(row.reason).toBe(expected.status === 'suppressed' ? expected.reason : null);
        if (expected.status === 'triggered')
          expect(row.next_attempt_at.getTime()).toBe((expected.sendAfter ?? now).getTime());
      }),
      { numRuns: 150 },
    );
  });
});
