import { Logger } from '@nestjs/common';
import fc from 'fast-check';
import type { DataSource, EntityManager } from 'typeorm';
import type { BulkOutcome } from '../bulk/bulk-outcome';
import type { CustomersService } from '../customers/customers.service';
import type { PurchasesService } from '../purchases/purchases.service';
import type { RecordPurchaseDto } from '../purchases/record-purchase.dto';
import type { RegisterCustomerDto } from '../customers/register-customer.dto';
import type { ProfileConfig } from '../profile.config';
import { IMPORT_BATCH_ROWS, ImportsService, type ImportReportLine } from './imports.service';

/**
 * The import's batching and checkpoints, over generated archives, with the services and the database
 * faked: orders are never split across batches, every row is written once and in file order, each batch
 * records where the import continues, and resuming from any recorded checkpoint writes exactly the rest.
 */

interface Harness {
  service: ImportsService;
  /** Order ids (or external references) each write call received, per batch. */
  batches: string[][];
  /** The next line each batch's checkpoint recorded. */
  checkpoints: number[];
  /** The outbox relay, faked: the holds taken and released, and their limits. */
  relay: FakeRelay;
  /** Whether the relay was held during each write call. */
  heldDuringWrites: boolean[];
}

class FakeRelay {
  taken = 0;
  released = 0;
  limits: number[] = [];
  get held(): boolean {
    return this.taken > this.released;
  }
  hold(maxMs: number): () => void {
    this.taken += 1;
    this.limits.push(maxMs);
    let done = false;
    return () => {
      // A second call of the same release is a no-op, as the relay's is.
      if (!done) this.released += 1;
      done = true;
    };
  }
}

function harness(resumeAt = 2, failWrites = false): Harness {
  const batches: string[][] = [];
  const checkpoints: number[] = [];
  const relay = new FakeRelay();
  const heldDuringWrites: boolean[] = [];
  const manager = {
    query: (sql: string, parameters: unknown[]) => {
      if (sql.startsWith('UPDATE import_checkpoints SET next_line'))
        checkpoints.push(parameters[2] as number);
      return Promise.resolve([{ ok: 1 }]);
    },
  } as unknown as EntityManager;
  const dataSource = {
    query: (sql: string, parameters: unknown[]) => {
      if (sql.includes('FROM customers WHERE external_ref = ANY'))
        return Promise.resolve(
          (parameters[0] as string[]).map((ref) => ({ id: `id-${ref}`, external_ref: ref })),
        );
      if (sql.includes('INSERT INTO import_checkpoints'))
        return Promise.resolve([
          {
            kind: parameters[1] as string,
            next_line: resumeAt,
            records: 0,
            imported: 0,
            unchanged: 0,
            failed: 0,
          },
        ]);
      return Promise.resolve([]);
    },
  } as unknown as DataSource;
  const purchases = {
    recordMany: async (
      entries: Array<{ customerId: string; dto: RecordPurchaseDto }>,
      _correlationId: string,
      options: { alsoInTransaction?: (m: EntityManager, o: BulkOutcome[]) => Promise<void> },
    ) => {
      if (failWrites) throw new Error('the database went away');
      heldDuringWrites.push(relay.held);
      batches.push(entries.map((e) => e.dto.orderId));
      const outcomes = entries.map(() => ({ created: true }));
      await options.alsoInTransaction?.(manager, outcomes);
      return outcomes;
    },
  } as unknown as PurchasesService;
  const customers = {
    registerMany: async (
      dtos: RegisterCustomerDto[],
      _correlationId: string,
      options: { alsoInTransaction?: (m: EntityManager, o: BulkOutcome[]) => Promise<void> },
    ) => {
      if (failWrites) throw new Error('the database went away');
      heldDuringWrites.push(relay.held);
      batches.push(dtos.map((d) => d.externalRef));
      const outcomes = dtos.map((): BulkOutcome => ({ created: true }));
      await options.alsoInTransaction?.(manager, outcomes);
      return outcomes;
    },
  } as unknown as CustomersService;
  return {
    service: new ImportsService(dataSource, customers, purchases, {} as ProfileConfig, relay),
    batches,
    checkpoints,
    relay,
    heldDuringWrites,
  };
}

async function collect(lines: AsyncIterable<ImportReportLine>): Promise<ImportReportLine[]> {
  const all: ImportReportLine[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

/** An archive of orders: each a customer and a number of lines, some lines with a bad quantity. */
const orders = fc.array(
  fc.record({
    customer: fc.integer({ min: 0, max: 20 }),
    lines: fc.integer({ min: 1, max: 7 }),
    bad: fc.boolean(),
  }),
  { minLength: 1, maxLength: 900 },
);

function purchaseCsv(archive: Array<{ customer: number; lines: number; bad: boolean }>) {
  const rows = ['externalRef,orderId,occurredAt,currency,sku,category,quantity,unitPrice'];
  const firstLines = new Map<string, number>();
  archive.forEach((order, o) => {
    firstLines.set(`O${o}`, rows.length + 1);
    for (let l = 0; l < order.lines; l++)
      rows.push(
        `C${order.customer},O${o},2024-03-0${1 + (l % 9)}T10:00:00.000Z,EUR,S${l},pumps,${order.bad && l === order.lines - 1 ? 'two' : '2'},10.50`,
      );
  });
  return { csv: rows.join('\n'), firstLines, totalLines: rows.length };
}

describe('ImportsService batching and checkpoints (generated archives)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('writes each good order once, whole and in file order, in batches of about a thousand lines, with a checkpoint after each', async () => {
    await fc.assert(
      fc.asyncProperty(orders, fc.integer({ min: 7, max: 5000 }), async (archive, chunkSize) => {
        const { csv, totalLines } = purchaseCsv(archive);
        const h = harness();
        const report = await collect(h.service.run('purchases', chunked(csv, chunkSize), 'c', 'named'));
        const good = archive.flatMap((order, o) => (order.bad ? [] : [`O${o}`]));
        expect(h.batches.flat()).toEqual(good);
        const lines = (id: string) => archive[Number(id.slice(1))].lines;
        for (const batch of h.batches)
          expect(batch.reduce((sum, id) => sum + lines(id), 0)).toBeLessThan(IMPORT_BATCH_ROWS + 7);
        // Checkpoints move forward and the last one is past the file's last line.
        expect(h.checkpoints).toEqual([...h.checkpoints].sort((a, b) => a - b));
        expect(new Set(h.checkpoints).size).toBe(h.checkpoints.length);
        expect(h.checkpoints.at(-1)).toBe(totalLines + 1);
        const summary = report.at(-1)!;
        expect(summary).toMatchObject({
          type: 'summary',
          records: totalLines - 1,
          imported: good.length,
          failed: archive.length - good.length,
        });
        expect(report.filter((l) => l.type === 'error')).toHaveLength(archive.length - good.length);
        // Every batch was written with the relay held, and the one hold was released at the end.
        expect(h.heldDuringWrites).toEqual(h.batches.map(() => true));
        expect(h.relay).toMatchObject({ taken: 1, released: 1, limits: [300_000] });
      }),
      { numRuns: 40 },
    );
  });

  it('resumed at any checkpoint it recorded, writes exactly the orders after it', async () => {
    await fc.assert(
      fc.asyncProperty(orders, fc.nat(), async (archive, pick) => {
        const { csv, firstLines } = purchaseCsv(archive);
        const whole = harness();
        await collect(whole.service.run('purchases', chunked(csv, 4096), 'c', 'named'));
        const at = pick % whole.checkpoints.length;
        const resumeAt = whole.checkpoints[at];
        const resumed = harness(resumeAt);
        const report = await collect(resumed.service.run('purchases', chunked(csv, 4096), 'c', 'named'));
        const before = whole.batches.slice(0, at + 1).flat();
        expect([...before, ...resumed.batches.flat()]).toEqual(whole.batches.flat());
        for (const id of resumed.batches.flat()) expect(firstLines.get(id)!).toBeGreaterThanOrEqual(resumeAt);
        if (resumeAt > 2) expect(report[0]).toMatchObject({ type: 'resumed', fromLine: resumeAt });
      }),
      { numRuns: 40 },
    );
  });

  it('registers customers in batches of a thousand and reports each bad row in line order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 2600 }), async (goodRows) => {
        const rows = ['externalRef,kind,name'];
        goodRows.forEach((good, i) => rows.push(`R${i},${good ? 'person' : 'robot'},Name ${i}`));
        const h = harness();
        const report = await collect(h.service.run('customers', chunked(rows.join('\r\n'), 1000), 'c'));
        expect(h.batches.flat()).toEqual(goodRows.flatMap((good, i) => (good ? [`R${i}`] : [])));
        expect(h.batches.length).toBe(Math.ceil(goodRows.length / IMPORT_BATCH_ROWS));
        const errorLines = report.flatMap((l) => (l.type === 'error' ? [l.line] : []));
        expect(errorLines).toEqual(goodRows.flatMap((good, i) => (good ? [] : [i + 2])));
        // Unnamed: nothing is checkpointed.
        expect(h.checkpoints).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });

  it('releases the relay however the import ends: a failed write, or a reader that stops reading', async () => {
    await fc.assert(
      fc.asyncProperty(orders, fc.nat({ max: 3 }), async (archive, stopAfter) => {
        const { csv } = purchaseCsv(archive);
        const failing = harness(2, true);
        await expect(collect(failing.service.run('purchases', chunked(csv, 4096), 'c'))).rejects.toThrow(
          'the database went away',
        );
        expect(failing.relay).toMatchObject({ taken: 1, released: 1 });
        // A client that hangs up: the response stops reading after a few lines (the generator is returned).
        const abandoned = harness();
        let read = 0;
        for await (const line of abandoned.service.run('purchases', chunked(csv, 4096), 'c')) {
          if (line.type !== 'summary') expect(abandoned.relay.held).toBe(true);
          if (++read > stopAfter) break;
        }
        expect(abandoned.relay.taken).toBeLessThanOrEqual(1);
        expect(abandoned.relay.released).toBe(abandoned.relay.taken);
      }),
      { numRuns: 25 },
    );
  });
});
