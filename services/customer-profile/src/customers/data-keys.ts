import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { execute, queryOne, queryRows, type Queryable } from '@crm/persistence';
import { PiiCipher, type CustomerFields, type WrappedDataKey } from '@crm/privacy';

interface DataKeyRow {
  customer_id: string;
  master_key_id: string;
  wrapped_key: string;
}

export const KEY_TABLES = ['customer_data_keys', 'personal_text_keys'] as const;
export type KeyTable = (typeof KEY_TABLES)[number];
const KEY_TABLE = 'DATA_KEY_TABLE';

export interface RotationProgress {
  rewrapped: number;
  remaining: number;
}

/** A new customer's data key, wrapped under the current master key, as it is stored. */
export interface StoredDataKey extends WrappedDataKey {
  customerId: string;
}

/**
 * Customers' data keys, apart from the ciphertexts they protect. Erasure deletes the key (crypto-shredding);
 * rotation re-wraps keys under the current master key and leaves every ciphertext as it is.
 */
@Injectable()
export class DataKeys {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    /** customer-profile's data keys, or the text keys other services keep (`personal_text_keys`). */
    @Optional() @Inject(KEY_TABLE) private readonly table: KeyTable = 'customer_data_keys',
  ) {}

  /**
   * A new customer's data key: the fields to seal with it now, and the wrapped key that `storeAll` saves in
   * the transaction that inserts the customer (after the customer row, which it references).
   */
  create(customerId: string): { fields: CustomerFields; stored: StoredDataKey } {
    const { stored, fields } = this.cipher.newDataKey(customerId);
    return { fields, stored: { customerId, ...stored } };
  }

  /** Saves new customers' wrapped data keys in one statement. */
  async storeAll(db: Queryable, keys: StoredDataKey[]): Promise<void> {
    if (keys.length === 0) return;
    await execute(
      db,
      `INSERT INTO customer_data_keys (customer_id, master_key_id, wrapped_key)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
      [keys.map((k) => k.customerId), keys.map((k) => k.masterKeyId), keys.map((k) => k.wrapped)],
    );
  }

  /** The customer's fields, or null once erased (the key is gone). */
  async fields(db: Queryable, customerId: string): Promise<CustomerFields | null> {
    const row = await queryOne<DataKeyRow>(
      db,
      'SELECT customer_id, master_key_id, wrapped_key FROM customer_data_keys WHERE customer_id = $1',
      [customerId],
    );
    return row ? this.cipher.fields(customerId, stored(row)) : null;
  }

  /** Destroys the customer's data key: every ciphertext sealed with it is unreadable from now on. */
  async destroy(db: Queryable, customerId: string): Promise<void> {
    await execute(db, 'DELETE FROM customer_data_keys WHERE customer_id = $1', [customerId]);
  }

  /** How many data keys each master key wraps. */
  async countByMasterKey(): Promise<Record<string, number>> {
    const rows = await queryRows<{ master_key_id: string; n: number }>(
      this.dataSource,
      `SELECT master_key_id, count(*)::int AS n FROM ${this.table} GROUP BY master_key_id ORDER BY 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.master_key_id, r.n]));
  }

  /**
   * Re-wraps every data key not under the current master key, in batches (each its own short transaction,
   * rows locked and skipped when busy), reporting progress after each batch. Safe to interrupt and run again.
   */
  async rotate(
    batchSize = 500,
    progress: (p: RotationProgress) => void = () => undefined,
  ): Promise<RotationProgress> {
    const current = this.cipher.currentMasterKeyId;
    let rewrapped = 0;
    for (;;) {
      const done = await this.dataSource.transaction(async (manager) => {
        const rows = await queryRows<DataKeyRow>(
          manager,
          `SELECT customer_id, master_key_id, wrapped_key FROM ${this.table}
            WHERE master_key_id <> $1 ORDER BY customer_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [current, batchSize],
        );
        for (const row of rows) {
          const next = this.cipher.rewrap(row.customer_id, stored(row));
          await execute(
            manager,
            `UPDATE ${this.table} SET master_key_id = $2, wrapped_key = $3${this.table === 'customer_data_keys' ? ', rewrapped_at = now()' : ''}
              WHERE customer_id = $1`,
            [row.customer_id, next.masterKeyId, next.wrapped],
          );
        }
        return rows.length;
      });
      rewrapped += done;
      const remaining = await this.remaining(current);
      progress({ rewrapped, remaining });
      if (done === 0 || remaining === 0) return { rewrapped, remaining };
    }
  }

  private async remaining(current: string): Promise<number> {
    const row = await queryOne<{ n: number }>(
      this.dataSource,
      `SELECT count(*)::int AS n FROM ${this.table} WHERE master_key_id <> $1`,
      [current],
    );
    return row?.n ?? 0;
  }
}

function stored(row: DataKeyRow): WrappedDataKey {
  return { masterKeyId: row.master_key_id, wrapped: row.wrapped_key };
}
