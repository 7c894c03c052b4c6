import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { rowsRead, testSchema, type TestSchema } from '@crm/testing';
import { NEXT_TOUCH_DUE_SQL } from '../src/care-actions/care-dispatcher';
import { CAMPAIGN_MIGRATIONS } from '../src/migrations';

/**
 * When the care dispatcher next has work (real Postgres, the service's migrations): for any touches (any
 * status, retry time, lease, campaign clock offset) the answer is the one aggregate over every triggered touch
 * it replaces, to the millisecond; and with thousands of touches waiting for the end of quiet hours it reads a
 * handful of rows, not all of them.
 */
const EVERY_TRIGGERED_TOUCH = `
  SELECT (extract(epoch FROM min(greatest(next_attempt_at - make_interval(secs => $1::float8 / 1000),
                                          coalesce(lease_expires_at, now()))) - now()) * 1000)::float8 AS ms
    FROM care_actions WHERE status = 'triggered'`;

const MINUTE = 60_000;
let tables: TestSchema;
let dataSource: DataSource;

beforeAll(async () => {
  tables = await testSchema('campaigns_next_due', CAMPAIGN_MIGRATIONS);
  dataSource = tables.dataSource;
});

afterAll(() => tables.drop());

interface Touch {
  status: 'triggered' | 'delivered' | 'suppressed' | 'failed' | 'cancelled';
  /** Minutes from now, or none. */
  next: number | null;
  lease: number | null;
}

async function insert(touches: Touch[]): Promise<void> {
  await dataSource.query(
    `INSERT INTO care_actions (id, customer_id, playbook_id, action, purpose, channel, status, idempotency_key,
                               trigger_event_id, next_attempt_at, lease_expires_at)
     SELECT gen_random_uuid(), gen_random_uuid(), 'spec', 'call', 'service', 'phone', s, gen_random_uuid()::text, 'spec',
            now() + make_interval(mins => n), now() + make_interval(mins => l)
       FROM unnest($1::text[], $2::int[], $3::int[]) AS t(s, n, l)`,
    [touches.map((t) => t.status), touches.map((t) => t.next), touches.map((t) => t.lease)],
  );
}

/** Both answers in one transaction, so `now()` is one instant for both. */
async function answers(offsetMs: number): Promise<{ before: number | null; now: number | null }> {
  return dataSource.transaction(async (manager) => {
    const [old] = (await manager.query(EVERY_TRIGGERED_TOUCH, [offsetMs])) as { ms: number | null }[];
    const [current] = (await manager.query(NEXT_TOUCH_DUE_SQL, [offsetMs])) as { ms: number | null }[];
    return { before: old.ms, now: current.ms };
  });
}

const minutes = fc.option(fc.integer({ min: -600, max: 600 }), { nil: null, freq: 4 });
const touch: fc.Arbitrary<Touch> = fc.record({
  status: fc.constantFrom('triggered', 'triggered', 'delivered', 'suppressed', 'failed', 'cancelled'),
  next: minutes,
  lease: fc.option(fc.integer({ min: -30, max: 30 }), { nil: null, freq: 2 }),
});

describe('the care dispatcher’s next due time', () => {
  it('is the earliest of every triggered touch’s retry time and lease end, for any touches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(touch, { maxLength: 12 }),
        fc.integer({ min: -2 * 3_600_000, max: 2 * 3_600_000 }),
        async (touches, offsetMs) => {
          await dataSource.query('TRUNCATE care_actions CASCADE');
          await insert(touches);
          const { before, now } = await answers(offsetMs);
          if (before === null) expect(now).toBeNull();
          else expect(now).toBeCloseTo(before, 6);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads a handful of rows however many touches wait for the end of quiet hours', async () => {
    await dataSource.query('TRUNCATE care_actions CASCADE');
    const waiting = Array.from({ length: 5000 }, (_, i): Touch => ({
      status: 'triggered',
      next: 60 + (i % 600),
      lease: null,
    }));
    const delivering: Touch[] = [
      { status: 'triggered', next: -1, lease: 5 },
      { status: 'triggered', next: -2, lease: 6 },
    ];
    await insert([...waiting, ...delivering]);
    await dataSource.query('ANALYZE care_actions');
    const { before, now } = await answers(0);
    // The earliest: the first lease to run out, five minutes from now.
    expect(now).toBeCloseTo(before!, 6);
    expect(now! / MINUTE).toBeCloseTo(5, 1);
    expect(await rowsRead(dataSource, NEXT_TOUCH_DUE_SQL, 'care_actions', [0])).toBeLessThanOrEqual(10);
  });
});
