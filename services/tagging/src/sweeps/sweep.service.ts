import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Cause } from '@crm/messaging';
import { counter, histogram } from '@crm/observability';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { notFound } from '@crm/service-kit';
import { churnMoved } from '../customers/rescore-events';
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
  started_at: Date;
  finished_at: Date | null;
}

export interface SweepRun {
  id: string;
  asOf: string;
  trigger: string;
  status: string;
  customers: number;
  changed: number;
  segmentEntries: number;
  segmentExits: number;
  seconds: number | null;
}

const sweepSeconds = () =>
  histogram('crm_sweep_duration_seconds', 'Sweep run time', ['trigger'], [1, 5, 15, 60, 300, 900]);
const sweepChanges = () =>
  counter('crm_sweep_changes_total', 'Customers whose classification a sweep changed');

/**
 * What time alone changes, applied to everyone at an as-of date: silent after 6 months, the one-year
 * anniversary, decline after the customer's own interval, segment windows sliding. Set-based: customers
 * are taken in key order, a batch per transaction (rows locked, facts aggregated in one statement,
 * changes written with one statement each and their events in one bulk insert). It emits the same events
 * as the event path, only for what changed, so a re-run at the same as-of date changes nothing.
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
      `INSERT INTO sweep_runs (id, as_of, trigger, status, started_at) VALUES ($1, $2, $3, 'running', now())`,
      [id, asOf, options.trigger],
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
                segment_entries = $4, segment_exits = $5 WHERE id = $1`,
        [id, totals.customers, totals.changed, totals.entered, totals.exited],
      );
    } catch (error) {
      await execute(
        this.dataSource,
        `UPDATE sweep_runs SET status = 'failed', finished_at = now(), customers = $2, changed = $3, error = $4 WHERE id = $1`,
        [id, totals.customers, totals.changed, (error as Error).message],
      );
      this.logger.error({ msg: 'sweep failed', sweepRunId: id, error: (error as Error).message });
      throw error;
    }
    const seconds = (Date.now() - started) / 1000;
    sweepSeconds().observe({ trigger: options.trigger }, seconds);
    sweepChanges().inc(totals.changed);
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
      changed: row.changed,
      segmentEntries: row.segment_entries,
      segmentExits: row.segment_exits,
      seconds: row.finished_at
        ? (new Date(row.finished_at).getTime() - new Date(row.started_at).getTime()) / 1000
        : null,
    };
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
  readonly totals = { customers: 0, changed: 0, entered: 0, exited: 0, churnAlerts: 0 };
  readonly phases: Record<string, number> = { read: 0, evaluate: 0, lockAndWrite: 0, segments: 0 };
  private readonly batchSize: number;
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
  }

  async run(segments: SegmentRow[]): Promise<void> {
    this.segments = segments;
    // The id space in 16 ranges, taken by the workers: both cores busy, each range in key order.
    const ranges = [...'0123456789abcdef'].map((hex, i, all) => ({
      after: `${hex}0000000-0000-0000-0000-000000000000`,
      before: i + 1 < all.length ? `${all[i + 1]}0000000-0000-0000-0000-000000000000` : null,
    }));
    const worker = async () => {
      // Optimistic by default: evaluate without locks, then lock and re-evaluate only the customers that
      // change, so a quiet night writes nothing and never waits on the event path. After a batch where most
      // customers changed (a first scoring, new rules), the next batch locks first and evaluates once.
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
        const rows = await this.timed('read', () =>
          queryRows<{ customer_id: string }>(
            manager,
            `SELECT customer_id FROM customers
              WHERE registered AND customer_id >= $1 AND ($3 OR customer_id <> $1) AND ($2::uuid IS NULL OR customer_id < $2)
              ORDER BY customer_id LIMIT $4`,
            [after, range.before, inclusive, this.batchSize],
          ),
        );
        if (rows.length === 0) return 0;
        const ids = rows.map((r) => r.customer_id);
        after = ids[ids.length - 1];
        inclusive = false;
        await this.sweepBatch(manager, ids, state);
        return ids.length;
      });
      this.totals.customers += done;
      if (done > 0) this.options.onProgress?.(this.totals.customers);
      if (done < this.batchSize || this.failure) break;
    }
  }

  private async sweepBatch(manager: EntityManager, ids: string[], state: { pessimistic: boolean }) {
    if (state.pessimistic) {
      await this.lockAndWrite(manager, ids);
      return;
    }
    const changing = new Set<string>();
    if (!this.options.segmentsOnly) {
      const evaluations = await this.timed('evaluate', () =>
        this.rescoring.evaluate(manager, ids, this.asOf),
      );
      for (const e of evaluations) if (e.changed.length > 0 || churnMoved(e)) changing.add(e.customerId);
    }
    const moving = await this.timed('segments', () =>
      this.membership.candidates(manager, ids, this.asOf, this.segments),
    );
    for (const customerId of moving) changing.add(customerId);
    state.pessimistic = changing.size > ids.length / 2;
    if (changing.size > 0) await this.lockAndWrite(manager, [...changing].sort());
  }

  /** Locks the customers, evaluates them afresh and writes what changed: scores first, then segments. */
  private async lockAndWrite(manager: EntityManager, ids: string[]) {
    await this.timed('lockAndWrite', async () => {
      await execute(
        manager,
        'SELECT 1 FROM customers WHERE customer_id = ANY($1::uuid[]) ORDER BY customer_id FOR UPDATE',
        [ids],
      );
      if (!this.options.segmentsOnly) {
        const fresh = await this.rescoring.evaluate(manager, ids, this.asOf);
        const changed = await this.rescoring.apply(manager, fresh, this.cause, this.asOf, 'sample');
        this.totals.changed += changed;
        // Read the total after the await: two workers add to it (\`+= await\` would lose one's count).
        const alerts = await this.rescoring.applyChurn(manager, fresh, this.cause);
        this.totals.churnAlerts += alerts;
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
