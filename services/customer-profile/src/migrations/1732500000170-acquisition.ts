import type { MigrationInterface, QueryRunner } from 'typeorm';

/** How a customer was acquired and what it cost (channel ROI, a KPI), stated at registration. */
export class Acquisition1732500000170 implements MigrationInterface {
  name = 'Acquisition1732500000170';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE customers ADD COLUMN acquisition_channel text, ADD COLUMN acquisition_cost numeric(16,2)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customers DROP COLUMN acquisition_channel, DROP COLUMN acquisition_cost');
  }
}
