import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Cause } from '@crm/messaging';
import { counter, histogram } from '@crm/observability';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { notFound } from '@crm/service-kit';
import { RescoringService } from '../customers/rescoring.service';
import { SegmentMembership } from '../segments/segment-membership';
import { SegmentsRepository, type SegmentRow } from '../segments/segments.repository';

export interface SweepOptions {
  asOf?: Date;
  trigger: 'schedule' | 'on-demand' | 'segment-defined' | 'rules';
  /** The run's id when the caller has announced it already (a rule-set activation); a new one otherwise. */
  id?: string;
  /** Only these segments (a new definition); scores are left alone then. */
  segmentsOnly?: SegmentRow[];
  correlationId?: string;
  batchSize?: number;
  /** Batches worked on at once (connections); defaults to 2, the cores of the reference machine. */
  concurrency?: number;
  onProgress?: (done: number) => void;
  /**
   * `due` (the default): only the customers whose scores time could have moved since they were last
   * evaluated (outside their steady range) are evaluated; `everyone`: every customer, as a first scoring.
   */
  review?: 'due' | 'everyone';
}

interface SweepRunRow {
  id: string;
  as_of: Date;
  trigger: string;
  status: string;
  customers: number;
  changed: number;
  segment_entries: number;
  segment_exits: number;
  evaluated: number | null;
  review: 'due' | 'everyone' | null;
  started_at: Date;
  finished_at: Date | null;
}

export interface SweepRun {
  id: string;
  asOf: string;
  trigger: string;
  status: string;
  customers: number;
  /** Of them, those evaluated: the others were steady past the as-of date (null for runs before it was counted). */
  evaluated: number | null;
  /** Whom it set out to evaluate: `due` (outside their steady range) or `everyone` (null for older runs). */
  review: 'due' | 'everyone' | null;
  changed: number;
  segmentEntries: number;
  segmentExits: number;
  seconds: number | null;
}

const sweepSeconds = () =>
  histogram('crm_sweep_duration_seconds', 'Sweep run time', ['trigger'], [1, 5, 15, 60, 300, 900]);
const sweepChanges = () =>
  counter('crm_sweep_changes_total', 'Customers whose classification a sweep changed');
const sweepEvaluated = () =>
  counter('crm_sweep_evaluated_total', 'Customers a sweep evaluated (the others were steady past its date)');

/**
 * What time alone changes, applied to everyone at an as-of date: silent after 6 months, the one-year
 * anniversary, decline after the customer's own interval, segment windows sliding. Set-based: customers
 * are taken in key order, a batch per transaction (rows locked, facts aggregated in one statement,
 * changes written with one statement each and their events in one bulk insert). It emits the same events
 * as the event path, only for what changed, so a re-run at the same as-of date changes nothing. A customer
 * whose scores were found steady past the as-of date (`customer_reviews`: nothing time alone does moves
 * them before then) is not evaluated at all.
 */
@Injectable()
export class SweepService {
  private readonly logger = new Logger(SweepService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly rescoring: RescoringService,
    private readonly segments: SegmentsRepository,
    private readonly membership: SegmentMembership,
  ) {}

  /** Runs a sweep to its end and answers it with phase timings. */
  async run(options: SweepOptions): Promise<SweepRun & { phases: Record<string, number> }> {
    const opened = await this.open(options);
    return this.complete(opened, options);
  }

  /**
   * Starts a sweep in the background and answers it at once (`running`); its progress is read with `get`.
   * A stopping service waits for the runs it started (graceful shutdown).
   */
  async start(options: SweepOptions): Promise<SweepRun> {
    const opened = await this.open(options);
    const running = this.complete(opened, options).then(
      () => undefined,
      () => undefined, // marked failed and logged by complete()
    );
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
    return this.get(opened.id);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async open(options: SweepOptions): Promise<{ id: string; asOf: Date; started: number }> {
    const id = options.id ?? randomUUID();
    const asOf = options.asOf ?? new Date();
    // Whatever replica runs it, a sweep scores with the rule set active now.
    if (!options.segmentsOnly) await this.rescoring.book.sync(this.dataSource.manager);
    await execute(
      this.dataSource,
      `INSERT INTO sweep_runs (id, as_of, trigger, status, started_at, review) VALUES ($1, $2, $3, 'running', now(), $4)`,
      [id, asOf, options.trigger, options.review ?? 'due'],
    );
    return { id, asOf, started: Date.now() };
  }

  private async complete(
    { id, asOf, started }: { id: string; asOf: Date; started: number },
    options: SweepOptions,
  ): Promise<SweepRun & { phases: Record<string, number> }> {
    const pass = new SweepPass(this.dataSource, this.rescoring, this.membership, options, asOf, {
      runId: id,
      correlationId: options.correlationId ?? `sweep-${id}`,
    });
    const { totals, phases } = pass;
    try {
      await pass.run(options.segmentsOnly ?? (await this.segments.active()));
      await execute(
        this.dataSource,
        `UPDATE sweep_runs SET status = 'finished', finished_at = now(), customers = $2, changed = $3,
                segment_entries = $4, segment_exits = $5, evaluated = $6 WHERE id = $1`,
        [id, totals.customers, totals.changed, totals.entered, totals.exited, totals.evaluated],
      );
    } catch (error) {
      await execute(
        this.dataSource,
        `UPDATE sweep_runs SET status = 'failed', finished_at = now(), customers = $2, changed = $3, error = $4,
                evaluated = $5 WHERE id = $1`,
        [id, totals.customers, totals.changed, (error as Error).message, totals.evaluated],
      );
      this.logger.error({ msg: 'sweep failed', sweepRunId: id, error: (error as Error).message });
      throw error;
    }
    const seconds = (Date.now() - started) / 1000;
    sweepSeconds().observe({ trigger: options.trigger }, seconds);
    sweepChanges().inc(totals.changed);
    sweepEvaluated().inc(totals.evaluated);
    this.logger.log({
      msg: 'sweep finished',
      sweepRunId: id,
      asOf: asOf.toISOString(),
      seconds,
      ...totals,
      phases,
    });
    return { ...(await this.get(id)), phases };
  }

  async get(id: string): Promise<SweepRun> {
    const row = await queryOne<SweepRunRow>(this.dataSource, 'SELECT * FROM sweep_runs WHERE id = $1', [id]);
    if (!row) throw notFound('sweep run', id);
    return {
      id: row.id,
      asOf: new Date(row.as_of).toISOString(),
      trigger: row.trigger,
      status: row.status,
      customers: row.customers,
      evaluated: row.evaluated,
      review: row.review,
      changed: row.changed,
      segmentEntries: row.segment_entries,
      segmentExits: row.segment_exits,
      seconds: row.finished_at
        ? (new Date(row.finished_at).getTime() - new Date(row.started_at).getTime()) / 1000
        : null,
    };
  }

  /** The as-of date of the last finished sweep that evaluated everyone, if any. */
  async lastFullReview(): Promise<Date | null> {
    const row = await queryOne<{ as_of: Date | null }>(
      this.dataSource,
      `SELECT max(as_of) AS as_of FROM sweep_runs WHERE review = 'everyone' AND status = 'finished'`,
    );
    return row?.as_of ?? null;
  }

  async recent(limit = 20): Promise<SweepRun[]> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      'SELECT id FROM sweep_runs ORDER BY started_at DESC LIMIT $1',
      [limit],
    );
    return Promise.all(rows.map((r) => this.get(r.id)));
  }
}

/** One sweep run: the id space in key ranges, worked by `concurrency` workers, a batch per transaction. */
class SweepPass {
  readonly totals = { customers: 0, evaluated: 0, changed: 0, entered: 0, exited: 0, churnAlerts: 0 };
  readonly phases: Record<string, number> = { read: 0, lockAndWrite: 0, segments: 0 };
  private readonly batchSize: number;
  /** The rule set the sweep scores with (synchronised when the run opened): ranges found under another do not count. */
  private readonly rulesVersion: string;
  private segments: SegmentRow[] = [];
  /** The first failure of any worker: the others stop after the batch they are in. */
  private failure?: { error: unknown };

  constructor(
    private readonly dataSource: DataSource,
    private readonly rescoring: RescoringService,
    private readonly membership: SegmentMembership,
    private readonly options: SweepOptions,
    private readonly asOf: Date,
    private readonly cause: Cause,
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.rulesVersion = rescoring.book.current.rules.version;
  }

  async run(segments: SegmentRow[]): Promise<void> {
    this.segments = segments;
    // The id space in 16 ranges, taken by the workers: both cores busy, each range in key order.
    const ranges = [...'0123456789abcdef'].map((hex, i, all) => ({
      after: `${hex}0000000-0000-0000-0000-000000000000`,
      before: i + 1 < all.length ? `${all[i + 1]}0000000-0000-0000-0000-000000000000` : null,
    }));
    const worker = async () => {
      // Customers whose scores are steady past the as-of date are left alone; the others (due) are locked,
      // evaluated once and written. Segments are asked without locks first, so a quiet night locks only the
      // customers due. After a batch where most customers are written (a first scoring, new rules), the next
      // batch locks everyone first.
      const state = { pessimistic: false };
      for (let range = ranges.shift(); range && !this.failure; range = ranges.shift()) {
        try {
          await this.sweepRange(range, state);
        } catch (error) {
          this.failure ??= { error };
        }
      }
    };
    // A failed batch stops every worker after its current batch, and the run is reported failed only once
    // they have all stopped: nothing of a failed run is still writing when its failure is recorded.
    await Promise.all(Array.from({ length: this.options.concurrency ?? 2 }, worker));
    if (this.failure) throw this.failure.error;
  }

  private async sweepRange(range: { after: string; before: string | null }, state: { pessimistic: boolean }) {
    let after = range.after;
    let inclusive = true;
    for (;;) {
      const done = await this.dataSource.transaction(async (manager) => {
        // A lost commit loses a batch's state and its events together; the next run redoes both.
        await execute(manager, 'SET LOCAL synchronous_commit = off');
        // The sweep keeps every core busy with its own workers; a parallel plan per batch only adds the
        // start of its helper processes (about 100 ms a batch of 5,000, measured) to work of about as much.
        await execute(manager, 'SET LOCAL max_parallel_workers_per_gather = 0');
        // \`>= $1\` is the index range's start; written as \`> $1 OR ($3 AND = $1)\` it was a filter, and every
        // batch scanned its range from the beginning (368 ms for a batch late in a range, now 15 ms).
        // With each customer, whether its scores were found steady past this as-of date (by the rules active
        // now): those are left alone, their scores being what an evaluation would find. Each customer's range
        // is looked up by its key (a join let the planner read the ranges from the start of the key range,
        // 100 ms a batch late in a range at a million customers).
        const rows = await this.timed('read', () =>
          queryRows<{ customer_id: string; steady: boolean }>(
            manager,
            `SELECT c.customer_id,
                    EXISTS (SELECT 1 FROM customer_reviews r WHERE r.customer_id = c.customer_id AND r.rules_version = $5
                               AND r.steady_from <= $6 AND (r.steady_until IS NULL OR r.steady_until > $6)) AS steady
               FROM customers c
              WHERE c.registered AND c.customer_id >= $1 AND ($3 OR c.customer_id <> $1) AND ($2::uuid IS NULL OR c.customer_id < $2)
              ORDER BY c.customer_id LIMIT $4`,
            [after, range.before, inclusive, this.batchSize, this.rulesVersion, this.asOf],
          ),
        );
        if (rows.length === 0) return 0;
        const ids = rows.map((r) => r.customer_id);
        after = ids[ids.length - 1];
        inclusive = false;
        const due = this.options.segmentsOnly
          ? []
          : this.options.review === 'everyone'
            ? ids
            : rows.filter((r) => !r.steady).map((r) => r.customer_id);
        this.totals.evaluated += due.length;
        await this.sweepBatch(manager, ids, due, state);
        return ids.length;
      });
      this.totals.customers += done;
      if (done > 0) this.options.onProgress?.(this.totals.customers);
      if (done < this.batchSize || this.failure) break;
    }
  }

  /**
   * A batch: its `due` customers (not steady) evaluated and written (their new steady range at least), and
   * the segments of everyone whose membership may move.
   */
  private async sweepBatch(
    manager: EntityManager,
    ids: string[],
    due: string[],
    state: { pessimistic: boolean },
  ) {
    if (state.pessimistic) {
      await this.lockAndWrite(manager, ids, due);
      return;
    }
    const changing = new Set<string>(due);
    const moving = await this.timed('segments', () =>
      this.membership.candidates(manager, ids, this.asOf, this.segments),
    );
    for (const customerId of moving) changing.add(customerId);
    state.pessimistic = changing.size > ids.length / 2;
    if (changing.size > 0) {
      const locked = [...changing].sort();
      await this.lockAndWrite(manager, locked, locked);
    }
  }

  /**
   * Locks the customers, evaluates the `scored` ones afresh and writes what changed (scores, churn alerts
   * and steady ranges), then the segments of all of them.
   */
  private async lockAndWrite(manager: EntityManager, ids: string[], scored: string[]) {
    await this.timed('lockAndWrite', async () => {
      await execute(
        manager,
        'SELECT 1 FROM customers WHERE customer_id = ANY($1::uuid[]) ORDER BY customer_id FOR UPDATE',
        [ids],
      );
      if (!this.options.segmentsOnly && scored.length > 0) {
        const fresh = await this.rescoring.evaluate(manager, scored, this.asOf);
        const changed = await this.rescoring.apply(manager, fresh, this.cause, this.asOf, 'sample');
        this.totals.changed += changed;
        // Read the total after the await: two workers add to it (\`+= await\` would lose one's count).
        const alerts = await this.rescoring.applyChurn(manager, fresh, this.cause);
        this.totals.churnAlerts += alerts;
        await this.rescoring.keepSteady(manager, fresh);
      }
      const diff = await this.membership.evaluateCustomers(
        manager,
        ids,
        this.asOf,
        this.cause,
        this.segments,
      );
      this.totals.entered += diff.entered;
      this.totals.exited += diff.exited;
    });
  }

  private async timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.phases[phase] += (performance.now() - started) / 1000;
    }
  }
}
