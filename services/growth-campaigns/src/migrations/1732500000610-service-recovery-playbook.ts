import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A low satisfaction score (NPS detractor, CSAT 1-2) calls for service recovery, never for marketing. */
export class ServiceRecoveryPlaybook1732500000610 implements MigrationInterface {
  name = 'ServiceRecoveryPlaybook1732500000610';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      INSERT INTO playbooks (id, trigger, action, purpose, channel, contact_due_hours, description) VALUES
        ('service-recovery', 'feedback:low-score', 'service-recovery-call', 'service', 'phone', 48,
         'Detractor or CSAT of at most 2: the follow-up owner calls with the remediation plan within 48 h')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM playbooks WHERE id = 'service-recovery'`);
  }
}
