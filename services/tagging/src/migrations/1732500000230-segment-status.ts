import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A segment that fails at run time is suspended (with the reason) instead of failing every event. */
export class SegmentStatus1732500000230 implements MigrationInterface {
  name = 'SegmentStatus1732500000230';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE segments
        ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        ADD COLUMN suspended_reason text,
        ADD COLUMN suspended_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE segments DROP COLUMN status, DROP COLUMN suspended_reason, DROP COLUMN suspended_at',
    );
  }
}
