import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An owner's book of customers, read by reference order (the console's search by owner). */
export class OwnerIndex1732500000190 implements MigrationInterface {
  name = 'OwnerIndex1732500000190';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE INDEX customers_owner_idx ON customers (owner, external_ref) WHERE owner IS NOT NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX customers_owner_idx');
  }
}
