import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How a customer wants to be contacted: time zone (quiet hours, birthdays, local-time waits), language of
 * touches, and whether they asked for fewer contacts. Not personal data on their own; carried in events.
 */
export class ContactPreferences1732500000150 implements MigrationInterface {
  name = 'ContactPreferences1732500000150';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE customers ADD COLUMN time_zone text, ADD COLUMN locale text,
      ADD COLUMN contact_frequency text NOT NULL DEFAULT 'normal' CHECK (contact_frequency IN ('normal', 'reduced'))`);
    // A delivery (an e-mail address read by growth-campaigns to send a touch) is audited like a reveal.
    await runner.query('ALTER TABLE personal_data_audit DROP CONSTRAINT personal_data_audit_action_check');
    await runner.query(
      `ALTER TABLE personal_data_audit ADD CONSTRAINT personal_data_audit_action_check CHECK (action IN ('reveal', 'erase', 'export', 'deliver'))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM personal_data_audit WHERE action = 'deliver'`);
    await runner.query('ALTER TABLE personal_data_audit DROP CONSTRAINT personal_data_audit_action_check');
    await runner.query(
      `ALTER TABLE personal_data_audit ADD CONSTRAINT personal_data_audit_action_check CHECK (action IN ('reveal', 'erase', 'export'))`,
    );
    await runner.query(
      'ALTER TABLE customers DROP COLUMN time_zone, DROP COLUMN locale, DROP COLUMN contact_frequency',
    );
  }
}
