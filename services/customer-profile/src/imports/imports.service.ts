import { HttpException, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne } from '@crm/persistence';
import { CustomersService } from '../customers/customers.service';
import { PurchasesService } from '../purchases/purchases.service';
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

/** What an import reports as it goes: progress, each row error, and a summary at the end. */
export type ImportReportLine =
  | ({ type: 'progress' } & ImportCounts)
  | ({ type: 'error' } & RowError)
  | ({ type: 'summary'; kind: ImportKind; ignoredColumns: string[]; seconds: number } & ImportCounts);

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

type Outcome = { records: number; created: boolean; errors: RowError[] };

/** A CSV line that could not be read: one failed record, named by line. */
const malformed = (record: CsvRecord): Outcome => ({
  records: 1,
  created: false,
  errors: [{ line: record.line, field: 'row', message: record.error! }],
});

function errorsOf(line: number, error: unknown): RowError[] {
  if (error instanceof HttpException) {
    const body = error.getResponse() as {
      field?: string;
      fields?: { field: string; messages: string[] }[];
      message?: string | string[];
    };
    if (body.fields)
      return body.fields.map((f) => ({ line, field: f.field, message: f.messages.join(', ') }));
    const message = Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? error.message);
    return [{ line, field: body.field ?? 'row', message }];
  }
  throw error;
}

/**
 * Streams a CSV of customers or purchases through the same rules as the API, one transaction per row
 * (per order for purchases), so a bad row is reported and never stops or half-writes the good ones.
 * Re-running an import is safe: known customers and orders are reported as unchanged or as conflicts.
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger(ImportsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomersService,
    private readonly purchases: PurchasesService,
  ) {}

  async *run(
    kind: ImportKind,
    chunks: AsyncIterable<Buffer | string>,
    correlationId: string,
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

    const counts: ImportCounts = { records: 0, imported: 0, unchanged: 0, failed: 0 };
    let reported = 0;
    const outcomes =
      kind === 'customers'
        ? this.customerOutcomes(header, records, correlationId)
        : this.purchaseOutcomes(header, records, correlationId);
    for await (const outcome of outcomes) {
      counts.records += outcome.records;
      if (outcome.errors.length > 0) {
        counts.failed += 1;
        for (const error of outcome.errors) yield { type: 'error', ...error };
      } else if (outcome.created) counts.imported += 1;
      else counts.unchanged += 1;
      if (counts.records - reported >= PROGRESS_EVERY) {
        reported = counts.records;
        yield { type: 'progress', ...counts };
      }
    }
    if (cut.at !== undefined)
      yield {
        type: 'error',
        line: 0,
        field: 'file',
        message: `the file is larger than ${cut.at} bytes; what follows was not read`,
      };
    const summary = {
      type: 'summary' as const,
      kind,
      ...counts,
      ignoredColumns: header.filter((c) => (DERIVED_CUSTOMER_COLUMNS as readonly string[]).includes(c)),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    this.logger.log({ msg: 'import finished', correlationId, ...summary });
    yield summary;
  }

  private async *customerOutcomes(
    header: string[],
    records: AsyncIterable<CsvRecord>,
    correlationId: string,
  ): AsyncGenerator<Outcome> {
    for await (const record of records) {
      if (record.error) {
        yield malformed(record);
        continue;
      }
      const dto = await customerFromRow(record.line, rowObject(header, record.fields));
      if (Array.isArray(dto)) {
        yield { records: 1, created: false, errors: dto };
        continue;
      }
      try {
        // An import brings the past in: its events update state everywhere and trigger no touch or survey.
        await this.customers.register(dto, correlationId, { historical: true });
        yield { records: 1, created: true, errors: [] };
      } catch (error) {
        yield { records: 1, created: false, errors: errorsOf(record.line, error) };
      }
    }
  }

  private async *purchaseOutcomes(
    header: string[],
    records: AsyncIterable<CsvRecord>,
    correlationId: string,
  ): AsyncGenerator<Outcome> {
    const customerIds = new Map<string, string | null>();
    let group: PurchaseRows | undefined;
    const flush = async (done: PurchaseRows) => {
      const outcome = { records: done.rows.length, created: false, errors: [] as RowError[] };
      const dto = await purchaseFromRows(done);
      if (Array.isArray(dto)) return { ...outcome, errors: dto };
      const customerId = done.externalRef ? await this.customerIdOf(done.externalRef, customerIds) : null;
      if (!customerId) {
        const message = done.externalRef
          ? `no customer has externalRef ${done.externalRef}`
          : 'must not be empty';
        return { ...outcome, errors: [{ line: done.line, field: 'externalRef', message }] };
      }
      try {
        const { created } = await this.purchases.record(customerId, dto, correlationId, { historical: true });
        return { ...outcome, created };
      } catch (error) {
        return { ...outcome, errors: errorsOf(done.line, error) };
      }
    };
    for await (const record of records) {
      if (record.error) {
        yield malformed(record);
        continue;
      }
      const values = rowObject(header, record.fields);
      if (group && group.rows[0].values.orderId === values.orderId && values.orderId !== undefined) {
        if (values.externalRef !== group.externalRef) {
          yield {
            records: 1,
            created: false,
            errors: [
              {
                line: record.line,
                field: 'externalRef',
                message: `order ${values.orderId} belongs to ${group.externalRef}`,
              },
            ],
          };
          continue;
        }
        if (group.rows.length >= MAX_ORDER_LINES) {
          yield {
            records: 1,
            created: false,
            errors: [
              {
                line: record.line,
                field: 'orderId',
                message: `order ${values.orderId} has more than ${MAX_ORDER_LINES} lines`,
              },
            ],
          };
          continue;
        }
        group.rows.push({ line: record.line, values });
        continue;
      }
      if (group) yield await flush(group);
      group = {
        line: record.line,
        externalRef: values.externalRef ?? '',
        rows: [{ line: record.line, values }],
      };
    }
    if (group) yield await flush(group);
  }

  private async customerIdOf(externalRef: string, cache: Map<string, string | null>): Promise<string | null> {
    const cached = cache.get(externalRef);
    if (cached !== undefined) return cached;
    const row = await queryOne<{ id: string }>(
      this.dataSource,
      'SELECT id FROM customers WHERE external_ref = $1',
      [externalRef],
    );
    const id = row?.id ?? null;
    if (cache.size >= 10_000) cache.clear();
    cache.set(externalRef, id);
    return id;
  }
}
