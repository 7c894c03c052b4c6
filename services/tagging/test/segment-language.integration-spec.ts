import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource, EntityManager } from 'typeorm';
import { OutboxPublisher } from '@crm/messaging';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { testSchema, type TestSchema } from '@crm/testing';
import { TAGGING_MIGRATIONS } from '../src/migrations';
import { loadScoringRules } from '../src/scoring/rules.provider';
import { RuleBook } from '../src/scoring/rule-book';
import { SegmentCompiler } from '../src/segments/segment-compiler';
import { segmentExpression } from '../src/segments/segment-grammar.arbitrary';
import { SegmentMembership } from '../src/segments/segment-membership';
import { SEGMENT_FROM, SegmentsRepository } from '../src/segments/segments.repository';
import type { TaggingConfig } from '../src/tagging.config';

/**
 * Every expression the grammar accepts runs in Postgres: generated expressions are evaluated as a preview
 * (count and sample) and as a saved segment (membership written, events queued) against tagging's real
 * schema with customers, purchases, scores and survey answers in it. None may fail or be suspended.
 */
const RUNS = 300;
let tables: TestSchema;
let dataSource: DataSource;
let outbox: OutboxPublisher;
let membership: SegmentMembership;
let segments: SegmentsRepository;
let compiler: SegmentCompiler;
const customers = Array.from({ length: 20 }, () => randomUUID()).sort();

beforeAll(async () => {
  tables = await testSchema('tagging_language', TAGGING_MIGRATIONS);
  dataSource = tables.dataSource;
  compiler = new SegmentCompiler(new RuleBook(dataSource, {} as TaggingConfig, loadScoringRules()));
  segments = new SegmentsRepository(dataSource);
  outbox = new OutboxPublisher({
    serviceName: 'tagging',
    schema: tables.schema,
    brokers: '',
    databaseUrl: process.env.DATABASE_URL!,
  });
  membership = new SegmentMembership(segments, compiler, outbox, {
    TAGGING_SEGMENT_TIMEOUT_MS: 10_000,
  } as TaggingConfig);
  for (const [i, id] of customers.entries()) {
    await execute(
      dataSource,
      `INSERT INTO customers (customer_id, registered, relationship_started_at, industry, manual_tags)
       VALUES ($1, true, now() - make_interval(days => $2), $3, $4)`,
      [id, 30 * i, i % 2 ? 'manufacturing' : "O'Brien & Co", i % 3 ? ['manual:vip'] : []],
    );
    for (let p = 0; p < i % 4; p++)
      await execute(
        dataSource,
        `INSERT INTO purchase_facts (order_id, customer_id, amount, occurred_at, category_amounts, event_id)
         VALUES ($1, $2, $3, now() - make_interval(days => $4), $5, $6)`,
        [
          `${id}-${p}`,
          id,
          1000 * (i + 1),
          40 * p + i,
          JSON.stringify({ pumps: 500, valves: 500 }),
          randomUUID(),
        ],
      );
    if (i % 2 === 0)
      await execute(
        dataSource,
        `INSERT INTO customer_scores (customer_id, recency, frequency, monetary, value_tier, value_loyalty_segment,
                                      membership_level, lifecycle_stage, tags, spend_12m, purchases_12m, lifetime_purchases,
                                      last_purchase_at, first_purchase_at, rules_version, scored_at)
         VALUES ($1, 3, 2, 4, 'high-value', 'core', 'gold', 'growth', $2, 1000, 2, 2, now() - interval '5 days',
                 now() - interval '100 days', 'test', now())`,
        [id, ['active', 'manual:vip']],
      );
    if (i % 5 === 0)
      await execute(
        dataSource,
        `INSERT INTO satisfaction_facts (survey_id, customer_id, kind, score, sentiment, answered_at, event_id)
         VALUES ($1, $2, 'nps', $3, 'passive', now() - interval '3 days', $4)`,
        [randomUUID(), id, i % 11, randomUUID()],
      );
  }
});

afterAll(() => tables?.drop());

/** Runs `work` in a transaction that is always rolled back: each expression starts from the same data. */
async function rolledBack(work: (manager: EntityManager) => Promise<void>) {
  const rollback = new Error('rollback');
  await dataSource
    .transaction(async (manager) => {
      await work(manager);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
}

describe('the segment language against the real Postgres', () => {
  it(`runs ${RUNS} generated expressions as a preview and as a saved segment, none failing`, async () => {
    let evaluated = 0;
    await fc.assert(
      fc.asyncProperty(segmentExpression, async (expression) => {
        const compiled = compiler.compile(expression);
        const asOf = new Date();
        const count = await queryOne<{ count: number }>(
          dataSource,
          `SELECT count(*)::int AS count ${SEGMENT_FROM} WHERE c.registered AND ${compiled.sql}`,
          [asOf],
        );
        expect(count?.count).toBeGreaterThanOrEqual(0);
        await rolledBack(async (manager) => {
          const saved = await segments.upsert(manager, 'generated', 'dynamic', expression, null);
          const diff = await membership.evaluateCustomers(
            manager,
            customers,
            asOf,
            { correlationId: 'pbt' },
            [saved],
          );
          const after = await queryOne<{ status: string; suspended_reason: string | null }>(
            manager,
            `SELECT status, suspended_reason FROM segments WHERE id = 'generated'`,
          );
          expect(after).toEqual({ status: 'active', suspended_reason: null });
          const members = await queryRows(
            manager,
            `SELECT 1 FROM segment_members WHERE segment_id = 'generated'`,
          );
          expect(members).toHaveLength(diff.entered);
          expect(diff.entered).toBe(count?.count);
        });
        evaluated += 1;
      }),
      { numRuns: RUNS, seed: 20261129 },
    );
    expect(evaluated).toBe(RUNS);
  });

  it('suspends a saved segment that fails at run time, and the rest of the transaction carries on', async () => {
    await rolledBack(async (manager) => {
      const saved = await segments.upsert(manager, 'doomed', 'dynamic', 'spend_12m > 1', null);
      // SQL Postgres cannot run, as the compiler of an earlier release emitted for `value_tier = 'x'`: the
      // as-of date is bound but never used.
      const broken = { ...saved };
      const failing = new SegmentMembership(
        segments,
        { compile: () => ({ sql: "(s.value_tier = 'x')", conditions: [] }) } as unknown as SegmentCompiler,
        outbox,
        { TAGGING_SEGMENT_TIMEOUT_MS: 10_000 } as TaggingConfig,
      );
      const diff = await failing.evaluateCustomers(manager, customers, new Date(), { correlationId: 't' }, [
        broken,
      ]);
      expect(diff).toEqual({ entered: 0, exited: 0 });
      const after = await queryOne<{ status: string; suspended_reason: string }>(
        manager,
        `SELECT status, suspended_reason FROM segments WHERE id = 'doomed'`,
      );
      expect(after?.status).toBe('suspended');
      expect(after?.suspended_reason).toContain('could not determine data type of parameter $1');
      expect((await segments.active(manager)).map((s) => s.id)).not.toContain('doomed');
      // One `segment suspended` event, keyed by the segment, carrying the correlation id it was caused by.
      const events = await queryRows<{ topic: string; message_key: string; payload: string }>(
        manager,
        `SELECT topic, message_key, payload FROM outbox WHERE event_type = 'crm.segment.suspended.v1'`,
      );
      expect(events.map((e) => [e.topic, e.message_key])).toEqual([['crm.segments.v1', 'doomed']]);
      expect(JSON.parse(events[0].payload)).toEqual({
        segmentId: 'doomed',
        version: saved.version,
        reason: expect.stringContaining('could not determine data type') as string,
        suspendedAt: expect.any(String) as string,
      });
      // The handler's transaction is still usable.
      expect(await queryOne<{ one: number }>(manager, 'SELECT 1 AS one')).toEqual({ one: 1 });
    });
  });
});
