import { HttpException } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

/** What a bulk write did with one entry: created, already there the same (unchanged), or refused and why. */
export interface BulkOutcome {
  created: boolean;
  error?: HttpException;
}

/** Runs before a bulk write commits, with its outcomes (an import's checkpoint). */
export type AlsoInTransaction = (manager: EntityManager, outcomes: BulkOutcome[]) => Promise<void>;

export interface BulkWriteOptions {
  /** Past facts (an import): their events carry `ce_historical` and trigger nothing customer-facing. */
  historical?: boolean;
  alsoInTransaction?: AlsoInTransaction;
}

/**
 * A bulk write's fallback when a concurrent writer got in the way: each entry through the single-entry path
 * (its own transaction; `write` answers whether it created), its refusal kept as the entry's outcome; then
 * `alsoInTransaction` with all the outcomes, in a transaction of its own.
 */
export async function oneByOne<T>(
  dataSource: DataSource,
  entries: T[],
  write: (entry: T) => Promise<boolean>,
  alsoInTransaction?: AlsoInTransaction,
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  for (const entry of entries) {
    try {
      outcomes.push({ created: await write(entry) });
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      outcomes.push({ created: false, error });
    }
  }
  if (alsoInTransaction) await dataSource.transaction((manager) => alsoInTransaction(manager, outcomes));
  return outcomes;
}
