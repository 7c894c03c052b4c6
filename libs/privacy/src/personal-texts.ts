import type { MigrationInterface, QueryRunner } from 'typeorm';
import { execute, queryOne, type Queryable } from '@crm/persistence';
import type { PiiCipher, WrappedDataKey } from './pii-cipher';

interface TextKeyRow {
  master_key_id: string;
  wrapped_key: string;
}

/**
 * Free text about a customer written outside customer-profile (a survey comment, a need's description, a
 * task's progress note) sealed with a data key of that customer kept in the service's own schema
 * (`personal_text_keys`), wrapped by the platform's master key. Erasure destroys the key: every text sealed
 * with it becomes unreadable at once, in every row and every backup.
 */
export class PersonalTexts {
  constructor(private readonly cipher: PiiCipher) {}

  /** Seals `value` for the customer's `field`, creating the customer's key on first use. */
  async seal(db: Queryable, customerId: string, field: string, value: string | null | undefined) {
    if (value === null || value === undefined) return null;
    let key = await this.key(db, customerId);
    if (!key) {
      const { stored } = this.cipher.newDataKey(customerId);
      await execute(
        db,
        `INSERT INTO personal_text_keys (customer_id, master_key_id, wrapped_key) VALUES ($1, $2, $3)
         ON CONFLICT (customer_id) DO NOTHING`,
        [customerId, stored.masterKeyId, stored.wrapped],
      );
      key = (await this.key(db, customerId))!;
    }
    return this.cipher.fields(customerId, key).seal(field, value);
  }

  /** Opens several sealed texts of one customer; null where nothing was sealed or the customer was erased. */
  async open<K extends string>(
    db: Queryable,
    customerId: string,
    sealed: Record<K, string | null | undefined>,
  ): Promise<Record<K, string | null>> {
    const key = await this.key(db, customerId);
    const fields = key ? this.cipher.fields(customerId, key) : undefined;
    const out = {} as Record<K, string | null>;
    for (const name of Object.keys(sealed) as K[])
      out[name] = fields && sealed[name] ? fields.open(name, sealed[name]) : null;
    return out;
  }

  /** Destroys the customer's text key (crypto-shredding). */
  async erase(db: Queryable, customerId: string): Promise<void> {
    await execute(db, 'DELETE FROM personal_text_keys WHERE customer_id = $1', [customerId]);
  }

  private async key(db: Queryable, customerId: string): Promise<WrappedDataKey | undefined> {
    const row = await queryOne<TextKeyRow>(
      db,
      'SELECT master_key_id, wrapped_key FROM personal_text_keys WHERE customer_id = $1',
      [customerId],
    );
    return row ? { masterKeyId: row.master_key_id, wrapped: row.wrapped_key } : undefined;
  }
}

/**
 * The table of `PersonalTexts`, as a migration of the service that uses it: `timestamp` places it after the
 * service's own migrations (TypeORM orders by the number at the end of the name).
 */
export function personalTextKeysMigration(timestamp: number): new () => MigrationInterface {
  return class implements MigrationInterface {
    name = `PersonalTextKeys${timestamp}`;

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE personal_text_keys (
          customer_id uuid PRIMARY KEY,
          master_key_id text NOT NULL,
          wrapped_key text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query('DROP TABLE personal_text_keys');
    }
  };
}
