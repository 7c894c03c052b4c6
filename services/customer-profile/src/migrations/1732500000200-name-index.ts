import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A blind index of names (keyed hash of the normalised name), for exact search by name. Rows registered
 * before it are indexed by the service after start (CustomersService.indexNames), not here: only the
 * service holds the keys that open the names.
 */
export class NameIndex1732500000200 implements MigrationInterface {
  name = 'NameIndex1732500000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customers ADD COLUMN name_hash text');
    await runner.query("CREATE INDEX customers_name_hash_idx ON customers (name_hash) WHERE name_hash <> ''");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX customers_name_hash_idx');
    await runner.query('ALTER TABLE customers DROP COLUMN name_hash');
  }
}
