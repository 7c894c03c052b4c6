import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The compacted state topic's bookkeeping: consents and erasure on the read model, the customers whose
 * state may have changed (`state_dirty`, filled by statement-level triggers on everything a snapshot is made
 * of, so no code path can forget it), and what was last published per customer (revision and digest).
 */
export class CustomerState1732500000240 implements MigrationInterface {
  name = 'CustomerState1732500000240';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE customers
        ADD COLUMN consents jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN erased boolean NOT NULL DEFAULT false`);
    await runner.query('CREATE TABLE state_dirty (customer_id uuid PRIMARY KEY)');
    await runner.query(`
      CREATE TABLE state_published (
        customer_id uuid PRIMARY KEY,
        revision int NOT NULL,
        digest text NOT NULL,
        published_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE FUNCTION mark_state_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO state_dirty (customer_id) SELECT DISTINCT customer_id FROM changed
          ON CONFLICT DO NOTHING;
        IF FOUND THEN
          PERFORM pg_notify('crm_customer_state', current_schema());
        END IF;
        RETURN NULL;
      END $$`);
    const watched: Array<[string, string]> = [
      ['customer_scores', 'INSERT'],
      ['customer_scores', 'UPDATE'],
      ['segment_members', 'INSERT'],
      ['segment_members', 'DELETE'],
      ['customers', 'INSERT'],
      ['customers', 'UPDATE'],
    ];
    for (const [table, event] of watched) {
      const transition = event === 'DELETE' ? 'OLD TABLE AS changed' : 'NEW TABLE AS changed';
      await runner.query(
        `CREATE TRIGGER ${table}_state_${event.toLowerCase()} AFTER ${event} ON ${table}
           REFERENCING ${transition} FOR EACH STATEMENT EXECUTE FUNCTION mark_state_dirty()`,
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const [table, event] of [
      ['customer_scores', 'insert'],
      ['customer_scores', 'update'],
      ['segment_members', 'insert'],
      ['segment_members', 'delete'],
      ['customers', 'insert'],
      ['customers', 'update'],
    ])
      await runner.query(`DROP TRIGGER ${table}_state_${event} ON ${table}`);
    await runner.query('DROP FUNCTION mark_state_dirty()');
    await runner.query('DROP TABLE state_published');
    await runner.query('DROP TABLE state_dirty');
    await runner.query('ALTER TABLE customers DROP COLUMN consents, DROP COLUMN erased');
  }
}
