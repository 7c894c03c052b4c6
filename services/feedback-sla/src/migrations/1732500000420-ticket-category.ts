import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The product category a ticket is about (a complaint excludes it from offers, in tagging and campaigns). */
export class TicketCategory1732500000420 implements MigrationInterface {
  name = 'TicketCategory1732500000420';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE tickets ADD COLUMN category text');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE tickets DROP COLUMN category');
  }
}
