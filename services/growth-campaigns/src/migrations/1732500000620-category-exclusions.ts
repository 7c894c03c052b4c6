import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Negative preferences from tagging's events, and the category a playbook offers: an offer in an excluded
 * category is never made. The cross-sell for the "general" segment (docs/domain-rules.md) is seeded with one.
 */
export class CategoryExclusions1732500000620 implements MigrationInterface {
  name = 'CategoryExclusions1732500000620';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE category_exclusions (
        customer_id uuid NOT NULL,
        category text NOT NULL,
        PRIMARY KEY (customer_id, category)
      )`);
    await runner.query('ALTER TABLE playbooks ADD COLUMN category text');
    await runner.query(`
      INSERT INTO playbooks (id, trigger, action, purpose, channel, contact_due_hours, category, description) VALUES
        ('cross-sell-general', 'segment-entered:general', 'cross-sell-offer', 'marketing', 'email', NULL, 'service',
         'General segment (loyal, low value): cross-sell a service contract')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM playbooks WHERE id = 'cross-sell-general'`);
    await runner.query('ALTER TABLE playbooks DROP COLUMN category');
    await runner.query('DROP TABLE category_exclusions');
  }
}
