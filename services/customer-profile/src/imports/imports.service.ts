import { randomUUID } from 'node:crypto';
import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { OutboxRelay } from '@crm/messaging';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { conflict } from '@crm/service-kit';
import { CustomersService } from '../customers/customers.service';
import type { AlsoInTransaction, BulkOutcome } from '../bulk/bulk-outcome';
import type { RegisterCustomerDto } from '../customers/register-customer.dto';
import type { RecordPurchaseDto } from '../purchases/record-purchase.dto';
import { PurchasesService } from '../purchases/purchases.service';
import { ProfileConfig } from '../profile.config';
import { readCsv, type CsvRecord } from './csv-reader';
import {
  checkHeader,
  customerFromRow,
  DERIVED_CUSTOMER_COLUMNS,
  purchaseFromRows,
  rowObject,
  type ImportKind,
  type PurchaseRows,
  type RowError,
} from './import-rows';

export class ImportHeaderError extends Error {
  constructor(readonly problems: string[]) {
    super(`the header row is not usable: ${problems.join('; ')}`);
  }
}

export interface ImportCounts {
  records: number;
  imported: number;
  unchanged: number;
  failed: number;
}

/**
 * What an import reports as it goes: where a named import resumes (with what its earlier runs did), progress,
 * each row error, and a summary at the end (a named import's totals over its runs, and this run's own).
 */
export type ImportReportLine =
  | ({ type: 'resumed'; importId: string; fromLine: number } & ImportCounts)
  | ({ type: 'progress' } & ImportCounts)
  | ({ type: 'error' } & RowError)
  | ({
      type: 'summary';
      kind: ImportKind;
      importId?: string;
      thisRun?: ImportCounts;
      ignoredColumns: string[];
      seconds: number;
    } & ImportCounts);

const PROGRESS_EVERY = 500;
/** Lines one order may have; an order beyond it is reported, never held in memory. */
export const MAX_ORDER_LINES = 1000;
/** The largest file an import reads; the rest is reported as not read. */
export const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

/** Passes chunks on until `limit` bytes, then stops reading and records that it did. */
async function* bounded(
  chunks: AsyncIterable<Buffer | string>,
  limit: number,
  cut: { at?: number },
): AsyncGenerator<Buffer | string> {
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (bytes > limit) {
      cut.at = limit;
      return;
    }
    yield chunk;
  }
}

type Outcome = { line: number; records: number; created: boolean; errors: RowError[] };

/** A CSV line that could not be read: one failed record, named by line. */
const malformed = (record: CsvRecord): Outcome => ({
  line: record.line,
  records: 1,
  created: false,
  errors: [{ line: record.line, field: 'row', message: record.error! }],
});

function errorsOf(line: number, error: HttpException): RowError[] {
  const body = error.getResponse() as {
    field?: string;
    fields?: { field: string; messages: string[] }[];
    message?: string | string[];
  };
  if (body.fields) return body.fields.map((f) => ({ line, field: f.field, message: f.messages.join(', ') }));
  const message = Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? error.message);
  return [{ line, field: body.field ?? 'row', message }];
}

/** Rows (customers) or order lines (purchases) written per transaction, unless IMPORT_BATCH_ROWS says. */
export const IMPORT_BATCH_ROWS = 1000;
/** How long an import may hold the service's events back, unless IMPORT_RELAY_HOLD_SECONDS says (5 minutes). */
export const IMPORT_RELAY_HOLD_SECONDS = 300;

/** One entry of a batch: a row or order already refused, or one to write. */
type Pending<T> =
  { outcome: Outcome; lastLine?: number } | { line: number; records: number; lastLine: number; write: T };

/** A named import's place: where to continue and what its earlier runs did. */
interface Checkpoint {
  importId: string;
  runToken: string;
  resumedFromLine?: number;
  before: ImportCounts;
}

/** A newer run of the same named import took it over; this one stops without writing its batch. */
export class ImportTakenOverError extends Error {}

/**
 * Streams a CSV of customers or purchases through the same rules as the API, in batches of about a thousand
 * rows, each one transaction with set-based statements, so a bad row is reported and never stops or
 * half-writes the good ones. A named import (`importId`) records where it stands in each batch's transaction:
 * running it again skips what is done and continues. Re-running an unnamed import is safe too: known
 * customers are reported as conflicts and known orders as unchanged.
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger(ImportsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomersService,
    private readonly purchases: PurchasesService,
    config: ProfileConfig,
    @Inject(OutboxRelay) private readonly relay: Pick<OutboxRelay, 'hold'>,
  ) {
    this.batchRows = config.IMPORT_BATCH_ROWS ?? IMPORT_BATCH_ROWS;
    this.relayHoldMs = (config.IMPORT_RELAY_HOLD_SECONDS ?? IMPORT_RELAY_HOLD_SECONDS) * 1000;
  }

  private readonly batchRows: number;
  private readonly relayHoldMs: number;

  async *run(
    kind: ImportKind,
    chunks: AsyncIterable<Buffer | string>,
    correlationId: string,
    importId?: string,
  ): AsyncGenerator<ImportReportLine> {
    const started = Date.now();
    const cut: { at?: number } = {};
    const records = readCsv(bounded(chunks, MAX_IMPORT_BYTES, cut));
    const first = await records.next();
    if (first.done) throw new ImportHeaderError(['the file is empty']);
    if (first.value.error) throw new ImportHeaderError([first.value.error]);
    const header = first.value.fields.map((c) => c.trim());
    const problems = checkHeader(kind, header);
    if (problems.length > 0) throw new ImportHeaderError(problems);
    const checkpoint = importId ? await this.openCheckpoint(importId, kind) : undefined;
    const nextLine = checkpoint?.resumedFromLine ?? 0;
    if (checkpoint?.resumedFromLine)
      yield { type: 'resumed', importId: checkpoint.importId, fromLine: nextLine, ...checkpoint.before };

    const counts: ImportCounts = { records: 0, imported: 0, unchanged: 0, failed: 0 };
    let reported = 0;
    const remaining = skipDone(records, nextLine);
    const batches =
      kind === 'customers'
        ? this.customerBatches(header, remaining, correlationId, checkpoint)
        : this.purchaseBatches(header, remaining, correlationId, checkpoint);
    // The import's events wait in the outbox until it ends (at most IMPORT_RELAY_HOLD_SECONDS), so the
    // services downstream take them in large batches afterwards instead of competing with it record by record.
    const release = this.relay.hold(this.relayHoldMs, `import ${importId ?? correlationId}`);
    try {
      for await (const batch of batches)
        for (const outcome of batch) {
          count(counts, outcome);
          for (const error of outcome.errors) yield { type: 'error', ...error };
          if (counts.records - reported >= PROGRESS_EVERY) {
            reported = counts.records;
            yield { type: 'progress', ...counts };
          }
        }
    } catch (error) {
      if (!(error instanceof ImportTakenOverError)) throw error;
      yield {
        type: 'error',
        line: 0,
        field: 'importId',
        message:
          'a newer run of this import took over; this run stopped (nothing of its last batch was written)',
      };
      return;
    } finally {
      release();
    }
    if (cut.at !== undefined)
      yield {
        type: 'error',
        line: 0,
        field: 'file',
        message: `the file is larger than ${cut.at} bytes; what follows was not read`,
      };
    const total = checkpoint ? add(checkpoint.before, counts) : counts;
    if (checkpoint)
      await execute(
        this.dataSource,
        'UPDATE import_checkpoints SET finished_at = now(), updated_at = now() WHERE import_id = $1 AND run_token = $2',
        [checkpoint.importId, checkpoint.runToken],
      );
    const summary = {
      type: 'summary' as const,
      kind,
      ...total,
      ...(checkpoint ? { importId: checkpoint.importId, thisRun: counts } : {}),
      ignoredColumns: header.filter((c) => (DERIVED_CUSTOMER_COLUMNS as readonly string[]).includes(c)),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    this.logger.log({ msg: 'import finished', correlationId, ...summary });
    yield summary;
  }

  /** Creates or takes over a named import; a run of the other kind under the same name is refused. */
  private async openCheckpoint(importId: string, kind: ImportKind): Promise<Checkpoint> {
    const runToken = randomUUID();
    const row = await queryOne<{
      kind: ImportKind;
      next_line: number;
      records: number;
      imported: number;
      unchanged: number;
      failed: number;
    }>(
      this.dataSource,
      `INSERT INTO import_checkpoints (import_id, kind, run_token, runs) VALUES ($1, $2, $3, 1)
       ON CONFLICT (import_id) DO UPDATE SET run_token = EXCLUDED.run_token, runs = import_checkpoints.runs + 1,
         updated_at = now()
       RETURNING kind, next_line, records, imported, unchanged, failed`,
      [importId, kind, runToken],
    );
    if (row!.kind !== kind)
      throw conflict(
        'IMPORT_KIND_MISMATCH',
        'importId',
        `import ${importId} is an import of ${row!.kind}, not of ${kind}`,
      );
    const before = {
      records: row!.records,
      imported: row!.imported,
      unchanged: row!.unchanged,
      failed: row!.failed,
    };
    return { importId, runToken, resumedFromLine: row!.next_line > 2 ? row!.next_line : undefined, before };
  }

  /** The batch's progress, in its own transaction: a run that lost the import to a newer one stops here. */
  private async advance(
    manager: EntityManager,
    checkpoint: Checkpoint | undefined,
    nextLine: number,
    outcomes: Outcome[],
  ): Promise<void> {
    if (!checkpoint) return;
    const c = tally(outcomes);
    const updated = await queryRows(
      manager,
      `UPDATE import_checkpoints SET next_line = $3, records = records + $4, imported = imported + $5,
              unchanged = unchanged + $6, failed = failed + $7, updated_at = now()
        WHERE import_id = $1 AND run_token = $2 RETURNING 1`,
      [checkpoint.importId, checkpoint.runToken, nextLine, c.records, c.imported, c.unchanged, c.failed],
    );
    if (updated.length === 0) throw new ImportTakenOverError();
  }

  /**
   * Writes a batch's acceptable entries with `write` and, in its transaction, resolves every entry's outcome
   * in line order and moves the checkpoint past the batch.
   */
  private async writeBatch<T>(
    batch: Pending<T>[],
    checkpoint: Checkpoint | undefined,
    write: (entries: T[], alsoInTransaction: AlsoInTransaction) => Promise<unknown>,
  ): Promise<Outcome[]> {
    let outcomes: Outcome[] = [];
    await write(
      batch.flatMap((p) => ('outcome' in p ? [] : [p.write])),
      async (manager, results) => {
        outcomes = resolved(batch, results);
        await this.advance(manager, checkpoint, lastLineOf(batch) + 1, outcomes);
      },
    );
    return outcomes;
  }

  private async *customerBatches(
    header: string[],
    records: AsyncIterable<CsvRecord>,
    correlationId: string,
    checkpoint: Checkpoint | undefined,
  ): AsyncGenerator<Outcome[]> {
    // An import brings the past in: its events update state everywhere and trigger no touch or survey.
    const write = (batch: Pending<RegisterCustomerDto>[]) =>
      this.writeBatch(batch, checkpoint, (dtos, alsoInTransaction) =>
        this.customers.registerMany(dtos, correlationId, { historical: true, alsoInTransaction }),
      );
    let batch: Pending<RegisterCustomerDto>[] = [];
    for await (const record of records) {
      if (record.error) batch.push({ outcome: malformed(record) });
      else {
        const dto = await customerFromRow(record.line, rowObject(header, record.fields));
        batch.push(
          Array.isArray(dto)
            ? { outcome: { line: record.line, records: 1, created: false, errors: dto } }
            : { line: record.line, records: 1, lastLine: record.line, write: dto },
        );
      }
      if (batch.length >= this.batchRows) {
        yield await write(batch);
        batch = [];
      }
    }
    if (batch.length > 0) yield await write(batch);
  }

  private async *purchaseBatches(
    header: string[],
    records: AsyncIterable<CsvRecord>,
    correlationId: string,
    checkpoint: Checkpoint | undefined,
  ): AsyncGenerator<Outcome[]> {
    type Order = { externalRef: string; dto: RecordPurchaseDto };
    const write = async (batch: Pending<Order>[]): Promise<Outcome[]> => {
      const ids = await this.customerIds(batch.flatMap((p) => ('outcome' in p ? [] : [p.write.externalRef])));
      // An order whose customer is unknown is refused here; the rest go to the service together.
      const entries = batch.map((p): Pending<Order> => {
        if ('outcome' in p) return p;
        if (ids.has(p.write.externalRef)) return p;
        return {
          lastLine: p.lastLine,
          outcome: {
            line: p.line,
            records: p.records,
            created: false,
            errors: [
              {
                line: p.line,
                field: 'externalRef',
                message: `no customer has externalRef ${p.write.externalRef}`,
              },
            ],
          },
        };
      });
      return this.writeBatch(entries, checkpoint, (orders, alsoInTransaction) =>
        this.purchases.recordMany(
          orders.map((o) => ({ customerId: ids.get(o.externalRef)!, dto: o.dto })),
          correlationId,
          { historical: true, alsoInTransaction },
        ),
      );
    };
    let batch: Pending<Order>[] = [];
    let rowsInBatch = 0;
    let group: PurchaseRows | undefined;
    const close = async (done: PurchaseRows): Promise<Pending<Order>> => {
      const records = done.rows.length;
      const lastLine = done.rows[records - 1].line;
      const dto = await purchaseFromRows(done);
      if (Array.isArray(dto))
        return { outcome: { line: done.line, records, created: false, errors: dto }, lastLine };
      if (!done.externalRef)
        return {
          outcome: {
            line: done.line,
            records,
            created: false,
            errors: [{ line: done.line, field: 'externalRef', message: 'must not be empty' }],
          },
          lastLine,
        };
      return { line: done.line, records, lastLine, write: { externalRef: done.externalRef, dto } };
    };
    const batchRows = this.batchRows;
    const push = async function* (entry: Pending<Order>) {
      batch.push(entry);
      rowsInBatch += 'outcome' in entry ? entry.outcome.records : entry.records;
      if (rowsInBatch >= batchRows) {
        const done = batch;
        batch = [];
        rowsInBatch = 0;
        yield await write(done);
      }
    };
    for await (const record of records) {
      if (record.error) {
        yield* push({ outcome: malformed(record) });
        continue;
      }
      const values = rowObject(header, record.fields);
      if (group && group.rows[0].values.orderId === values.orderId && values.orderId !== undefined) {
        const refusal =
          values.externalRef !== group.externalRef
            ? { field: 'externalRef', message: `order ${values.orderId} belongs to ${group.externalRef}` }
            : group.rows.length >= MAX_ORDER_LINES
              ? {
                  field: 'orderId',
                  message: `order ${values.orderId} has more than ${MAX_ORDER_LINES} lines`,
                }
              : undefined;
        if (refusal) {
          yield* push({
            outcome: {
              line: record.line,
              records: 1,
              created: false,
              errors: [{ line: record.line, ...refusal }],
            },
          });
          continue;
        }
        group.rows.push({ line: record.line, values });
        continue;
      }
      if (group) yield* push(await close(group));
      group = {
        line: record.line,
        externalRef: values.externalRef ?? '',
        rows: [{ line: record.line, values }],
      };
    }
    if (group) yield* push(await close(group));
    if (batch.length > 0) yield await write(batch);
  }

  /** Customer ids by external reference, in one query for a batch. */
  private async customerIds(externalRefs: string[]): Promise<Map<string, string>> {
    if (externalRefs.length === 0) return new Map();
    const rows = await queryRows<{ id: string; external_ref: string }>(
      this.dataSource,
      'SELECT id, external_ref FROM customers WHERE external_ref = ANY($1)',
      [[...new Set(externalRefs)]],
    );
    return new Map(rows.map((r) => [r.external_ref, r.id]));
  }
}

/** Records at or after `from` (the line a named import continues at); earlier ones were written before. */
async function* skipDone(records: AsyncIterable<CsvRecord>, from: number): AsyncGenerator<CsvRecord> {
  for await (const record of records) if (record.line >= from) yield record;
}

/** The batch's outcomes in line order: those refused before writing, and the write's for the rest. */
function resolved(batch: Pending<unknown>[], results: BulkOutcome[]): Outcome[] {
  let next = 0;
  return batch.map((p) => {
    if ('outcome' in p) return p.outcome;
    const result = results[next++];
    return {
      line: p.line,
      records: p.records,
      created: result.created,
      errors: result.error ? errorsOf(p.line, result.error) : [],
    };
  });
}

function lastLineOf(batch: Pending<unknown>[]): number {
  return Math.max(...batch.map((p) => p.lastLine ?? ('outcome' in p ? p.outcome.line : 0)));
}

/** Adds one outcome to the counts: its rows, and the entry as failed, imported or unchanged. */
function count(counts: ImportCounts, outcome: Outcome): void {
  counts.records += outcome.records;
  if (outcome.errors.length > 0) counts.failed += 1;
  else if (outcome.created) counts.imported += 1;
  else counts.unchanged += 1;
}

function tally(outcomes: Outcome[]): ImportCounts {
  const counts = { records: 0, imported: 0, unchanged: 0, failed: 0 };
  for (const outcome of outcomes) count(counts, outcome);
  return counts;
}

function add(a: ImportCounts, b: ImportCounts): ImportCounts {
  return {
    records: a.records + b.records,
    imported: a.imported + b.imported,
    unchanged: a.unchanged + b.unchanged,
    failed: a.failed + b.failed,
  };
}
