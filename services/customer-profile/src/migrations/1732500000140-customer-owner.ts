import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The account owner of a customer (an account manager's id): who gets the customer's tasks. */
export class CustomerOwner1732500000140 implements MigrationInterface {
  name = 'CustomerOwner1732500000140';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customers ADD COLUMN owner text');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customers DROP COLUMN owner');
  }
}
