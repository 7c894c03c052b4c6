import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Subject-access exports are audited beside reveals and erasures. */
export class AuditExports1732500000130 implements MigrationInterface {
  name = 'AuditExports1732500000130';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE personal_data_audit DROP CONSTRAINT personal_data_audit_action_check');
    await runner.query(
      `ALTER TABLE personal_data_audit ADD CONSTRAINT personal_data_audit_action_check CHECK (action IN ('reveal', 'erase', 'export'))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM personal_data_audit WHERE action = 'export'`);
    await runner.query('ALTER TABLE personal_data_audit DROP CONSTRAINT personal_data_audit_action_check');
    await runner.query(
      `ALTER TABLE personal_data_audit ADD CONSTRAINT personal_data_audit_action_check CHECK (action IN ('reveal', 'erase'))`,
    );
  }
}
