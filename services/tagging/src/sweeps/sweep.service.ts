import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
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

  async run(options: SweepOptions): Promise<SweepRun> {
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
    try {
      const segments = options.segmentsOnly ?? (await this.segments.all());
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const done = await this.dataSource.transaction(async (manager) => {
          const rows: { customer_id: string }[] = await manager.query(
            `SELECT customer_id FROM customers WHERE registered AND customer_id > $1 ORDER BY customer_id LIMIT $2 FOR UPDATE`,
            [after, batchSize],
          );
          if (rows.length === 0) return 0;
          const ids = rows.map((r) => r.customer_id);
          after = ids[ids.length - 1];
          const cause = { sweepRunId: id, correlationId };
          if (!options.segmentsOnly) {
            const evaluations = await this.rescoring.evaluate(manager, ids, asOf);
            totals.changed += await this.rescoring.apply(manager, evaluations, cause, asOf);
          }
          const diff = await this.segments.evaluateCustomers(manager, ids, asOf, cause, segments);
          totals.entered += diff.entered;
          totals.exited += diff.exited;
          return ids.length;
        });
        if (done === 0) break;
        totals.customers += done;
        options.onProgress?.(totals.customers);
        if (done < batchSize) break;
      }
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
    this.logger.log({ msg: 'sweep finished', sweepRunId: id, asOf: asOf.toISOString(), seconds, ...totals });
    return this.get(id);
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
