import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { counter, histogram } from '@crm/observability';
import { RescoringService } from '../customers/rescoring.service';
import { SegmentsService, type SegmentRow } from '../segments/segments.service';

export interface SweepOptions {
  asOf?: Date;
  trigger: 'schedule' | 'on-demand' | 'segment-defined';
  /** Only these segments (a new definition); scores are left alone then. */
  segmentsOnly?: SegmentRow[];
  correlationId?: string;
  batchSize?: number;
  /** Batches worked on at once (connections); defaults to 2, the cores of the reference machine. */
  concurrency?: number;
  onProgress?: (done: number) => void;
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

  constructor(
    private readonly dataSource: DataSource,
    private readonly rescoring: RescoringService,
    private readonly segments: SegmentsService,
  ) {}

  async run(options: SweepOptions): Promise<SweepRun & { phases: Record<string, number> }> {
    const id = randomUUID();
    const asOf = options.asOf ?? new Date();
    const started = Date.now();
    const batchSize = options.batchSize ?? 5000;
    const correlationId = options.correlationId ?? `sweep-${id}`;
    await this.dataSource.query(
      `INSERT INTO sweep_runs (id, as_of, trigger, status, started_at) VALUES ($1, $2, $3, 'running', now())`,
      [id, asOf, options.trigger],
    );
    const totals = { customers: 0, changed: 0, entered: 0, exited: 0 };
    const phases: Record<string, number> = { read: 0, evaluate: 0, lockAndWrite: 0, segments: 0 };
    const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      try {
        return await work();
      } finally {
        phases[phase] += (performance.now() - t) / 1000;
      }
    };
    try {
      const segments = options.segmentsOnly ?? (await this.segments.all());
      const cause = { sweepRunId: id, correlationId };
      // The id space in 16 ranges, taken by `concurrency` workers: both cores busy, each range in key order.
      const ranges = [...'0123456789abcdef'].map((hex, i, all) => ({
        after: `${hex}0000000-0000-0000-0000-000000000000`,
        before: i + 1 < all.length ? `${all[i + 1]}0000000-0000-0000-0000-000000000000` : null,
      }));
      const lock = (manager: EntityManager, ids: string[]) =>
        manager.query(
          'SELECT 1 FROM customers WHERE customer_id = ANY($1::uuid[]) ORDER BY customer_id FOR UPDATE',
          [ids],
        );
      /** Evaluates locked customers and writes what changed, scores first, then segments. */
      const write = async (manager: EntityManager, ids: string[]) => {
        if (!options.segmentsOnly) {
          const fresh = await this.rescoring.evaluate(manager, ids, asOf);
          const changed = await this.rescoring.apply(manager, fresh, cause, asOf, 'sample');
          totals.changed += changed;
        }
        const diff = await this.segments.evaluateCustomers(manager, ids, asOf, cause, segments);
        totals.entered += diff.entered;
        totals.exited += diff.exited;
      };
      const worker = async () => {
        let pessimistic = false;
        for (let range = ranges.shift(); range; range = ranges.shift()) {
          let after = range.after;
          let inclusive = true;
          for (;;) {
            const done = await this.dataSource.transaction(async (manager) => {
              // A lost commit loses a batch's state and its events together; the next run redoes both.
              await manager.query('SET LOCAL synchronous_commit = off');
              const rows: { customer_id: string }[] = await timed('read', () =>
                manager.query(
                  `SELECT customer_id FROM customers
                    WHERE registered AND (customer_id > $1 OR ($3 AND customer_id = $1)) AND ($2::uuid IS NULL OR customer_id < $2)
                    ORDER BY customer_id LIMIT $4`,
                  [after, range.before, inclusive, batchSize],
                ),
              );
              if (rows.length === 0) return 0;
              const ids = rows.map((r) => r.customer_id);
              after = ids[ids.length - 1];
              inclusive = false;
              // Optimistic by default: evaluate without locks, then lock and re-evaluate only the customers that
              // change, so a quiet night writes nothing and never waits on the event path. After a batch where
              // most customers changed (a first scoring, new rules), the next batch locks first and evaluates once.
              if (pessimistic) {
                await timed('lockAndWrite', () => lock(manager, ids));
                await timed('lockAndWrite', () => write(manager, ids));
                return ids.length;
              }
              let changing = new Set<string>();
              if (!options.segmentsOnly) {
                const evaluations = await timed('evaluate', () =>
                  this.rescoring.evaluate(manager, ids, asOf),
                );
                changing = new Set(evaluations.filter((e) => e.changed.length > 0).map((e) => e.customerId));
              }
              const moving = await timed('segments', () =>
                this.segments.candidates(manager, ids, asOf, segments),
              );
              for (const customerId of moving) changing.add(customerId);
              pessimistic = changing.size > ids.length / 2;
              if (changing.size === 0) return ids.length;
              const locked = [...changing].sort();
              await timed('lockAndWrite', () => lock(manager, locked));
              await timed('lockAndWrite', () => write(manager, locked));
              return ids.length;
            });
            totals.customers += done;
            if (done > 0) options.onProgress?.(totals.customers);
            if (done < batchSize) break;
          }
        }
      };
      await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker));
      await this.dataSource.query(
        `UPDATE sweep_runs SET status = 'finished', finished_at = now(), customers = $2, changed = $3,
                segment_entries = $4, segment_exits = $5 WHERE id = $1`,
        [id, totals.customers, totals.changed, totals.entered, totals.exited],
      );
    } catch (error) {
      await this.dataSource.query(
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
    const [row] = await this.dataSource.query('SELECT * FROM sweep_runs WHERE id = $1', [id]);
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
    const rows: { id: string }[] = await this.dataSource.query(
      'SELECT id FROM sweep_runs ORDER BY started_at DESC LIMIT $1',
      [limit],
    );
    return Promise.all(rows.map((r) => this.get(r.id)));
  }
}
