import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { testSchema, type TestSchema } from '@crm/testing';
import { ReferralTables1732500000500 } from '../src/migrations/1732500000500-referral-tables';
import { storeMember, storeMembers, storeSegments } from '../src/referrals/members';
import { newReferralCode } from '../src/referrals/referral-rules';

/** A registration stores its member in one statement (real Postgres, the service's migration). */
let tables: TestSchema;
let dataSource: DataSource;

beforeAll(async () => {
  tables = await testSchema('referral_members', [ReferralTables1732500000500]);
  dataSource = tables.dataSource;
});

afterAll(() => tables.drop());

const hash = fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: null });

async function members(): Promise<{ customer_id: string; code: string; email_hash: string | null }[]> {
  return dataSource.query('SELECT customer_id, code, email_hash FROM members ORDER BY customer_id');
}

describe('storeMember', () => {
  it('gives each new member a code, keeps it when the member registers again, and stores the latest hashes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ who: fc.integer({ min: 0, max: 4 }), emailHash: hash }), { maxLength: 12 }),
        async (registrations) => {
          await dataSource.query('TRUNCATE members');
          const ids = Array.from({ length: 5 }, () => randomUUID()).sort();
          const codes = new Map<string, string>();
          const latest = new Map<string, string | null>();
          for (const { who, emailHash } of registrations) {
            const customerId = ids[who];
            await dataSource.transaction((manager) =>
              storeMember(manager, { customerId, emailHash, registeredAt: '2024-05-20T09:30:00Z' }),
            );
            latest.set(customerId, emailHash);
            const row = (await members()).find((m) => m.customer_id === customerId)!;
            if (codes.has(customerId)) expect(row.code).toBe(codes.get(customerId));
            codes.set(customerId, row.code);
          }
          const rows = await members();
          expect(rows.map((m) => [m.customer_id, m.email_hash])).toEqual(
            [...latest].sort(([a], [b]) => a.localeCompare(b)),
          );
          expect(new Set(rows.map((m) => m.code)).size).toBe(rows.length);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('tries another code when the first is taken, without aborting the transaction', async () => {
    await dataSource.query('TRUNCATE members');
    const taken = newReferralCode();
    const first = randomUUID();
    await dataSource.transaction((m) =>
      storeMember(m, { customerId: first, registeredAt: '2024-05-20T09:30:00Z' }, () => taken),
    );
    const offered = [taken, taken, 'FRESHCDE'];
    const second = randomUUID();
    await dataSource.transaction(async (manager) => {
      await storeMember(manager, { customerId: second, registeredAt: '2024-05-20T09:30:00Z' }, () =>
        offered.shift()!,
      );
      // The transaction is still usable after the clashes.
      await manager.query('SELECT 1');
    });
    expect(offered).toEqual([]);
    const rows = await members();
    expect(rows.find((m) => m.customer_id === second)?.code).toBe('FRESHCDE');
    expect(rows.find((m) => m.customer_id === first)?.code).toBe(taken);
  });

  it('fails with a reason, writing nothing, when every code it is given is taken', async () => {
    await dataSource.query('TRUNCATE members');
    await dataSource.transaction((m) =>
      storeMember(m, { customerId: randomUUID(), registeredAt: '2024-05-20T09:30:00Z' }, () => 'TAKENCDE'),
    );
    const customerId = randomUUID();
    await expect(
      dataSource.transaction((m) =>
        storeMember(m, { customerId, registeredAt: '2024-05-20T09:30:00Z' }, () => 'TAKENCDE'),
      ),
    ).rejects.toThrow(`no free referral code for customer ${customerId} after 6 tries`);
    expect(await members()).toHaveLength(1);
  });

  it('keeps the code of a member a purchase created first', async () => {
    await dataSource.query('TRUNCATE members');
    const customerId = randomUUID();
    await dataSource.query(
      `INSERT INTO members (customer_id, code, registered_at, first_purchase_order_id) VALUES ($1, 'PURCHASE', now(), 'o-1')`,
      [customerId],
    );
    await dataSource.transaction((m) =>
      storeMember(m, { customerId, emailHash: 'a'.repeat(64), registeredAt: '2024-05-20T09:30:00Z' }),
    );
    expect(
      await dataSource.query(
        'SELECT code, email_hash, first_purchase_order_id FROM members WHERE customer_id = $1',
        [customerId],
      ),
    ).toEqual([{ code: 'PURCHASE', email_hash: 'a'.repeat(64), first_purchase_order_id: 'o-1' }]);
  });
});

describe('storeMembers', () => {
  it('stores a wave in one try and tries again, with new codes, only those whose code was taken', async () => {
    await dataSource.query('TRUNCATE members');
    await dataSource.transaction((m) =>
      storeMember(m, { customerId: randomUUID(), registeredAt: '2024-05-20T09:30:00Z' }, () => 'TAKENCDE'),
    );
    const existing = randomUUID();
    await dataSource.query(
      `INSERT INTO members (customer_id, code, registered_at) VALUES ($1, 'KEEPCODE', '2024-01-01T00:00:00Z')`,
      [existing],
    );
    const fresh = [randomUUID(), randomUUID().toUpperCase(), randomUUID()];
    // The first try: a code taken before, one taken twice within the wave, one for the existing member.
    const offered = ['TAKENCDE', 'TWICECDE', 'TWICECDE', 'UNUSEDCD', 'SECONDAA', 'SECONDBB'];
    await dataSource.transaction((m) =>
      storeMembers(
        m,
        [...fresh, existing].map((customerId) => ({
          customerId,
          emailHash: 'd'.repeat(64),
          registeredAt: '2024-05-20T09:30:00Z',
        })),
        () => offered.shift()!,
      ),
    );
    expect(offered).toEqual([]);
    const rows = await members();
    const codeOf = (id: string) => rows.find((r) => r.customer_id === id.toLowerCase())?.code;
    expect(codeOf(existing)).toBe('KEEPCODE');
    // Which of the two offered the same code gets it is the insert's order (by id); the other tries again.
    expect(fresh.map(codeOf).sort()).toEqual(['SECONDAA', 'SECONDBB', 'TWICECDE']);
    expect(['SECONDAA', 'SECONDBB']).toContain(codeOf(fresh[0]));
    expect(rows.filter((r) => r.email_hash === 'd'.repeat(64))).toHaveLength(4);
  });
});

describe('storeSegments', () => {
  it('leaves every member in the segment of its last re-scoring, a run at once as one by one', async () => {
    const ids = Array.from({ length: 4 }, () => randomUUID());
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            who: fc.integer({ min: 0, max: 4 }),
            upper: fc.boolean(),
            segment: fc.constantFrom('champions', 'loyal', 'at-risk', 'hibernating'),
          }),
          { maxLength: 15 },
        ),
        async (generated) => {
          // Four members and one customer who is not (nothing to update for it).
          const stored = async () => {
            await dataSource.query('TRUNCATE members');
            for (const customerId of ids)
              await dataSource.transaction((m) =>
                storeMember(m, { customerId, registeredAt: '2024-05-20T09:30:00Z' }),
              );
          };
          const run = generated.map(({ who, upper, segment }) => {
            const id = ids[who] ?? '0a6f1c52-8f0e-4c43-9b8e-1f6f0b7e2a09';
            return { customerId: upper ? id.toUpperCase() : id, segment };
          });
          const segments = async () =>
            (await dataSource.query(
              'SELECT customer_id, segment FROM members ORDER BY customer_id',
            )) as unknown[];
          await stored();
          for (const one of run) await dataSource.transaction((m) => storeSegments(m, [one]));
          const oneByOne = await segments();
          await stored();
          await dataSource.transaction((m) => storeSegments(m, run));
          expect(await segments()).toEqual(oneByOne);
          // And that is each member's last segment of the run.
          for (const [who, id] of ids.entries()) {
            const last = generated.filter((g) => g.who === who).pop();
            const row = (oneByOne as { customer_id: string; segment: string | null }[]).find(
              (r) => r.customer_id === id,
            );
            expect(row?.segment ?? null).toBe(last?.segment ?? null);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
