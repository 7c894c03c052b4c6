import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox and inbox tables every service has in its own schema. */
export class MessagingTables1732500000000 implements MigrationInterface {
  name = 'MessagingTables1732500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbox (
        seq bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        topic text NOT NULL,
        message_key text NOT NULL,
        event_type text NOT NULL,
        headers jsonb NOT NULL,
        payload text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await runner.query('CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL');
    await runner.query(
      'CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL',
    );
    await runner.query(`
      CREATE TABLE inbox (
        consumer_group text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, event_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE inbox');
    await runner.query('DROP TABLE outbox');
  }
}

/**
 * An outbox row too large for the broker is parked (with the reason) instead of blocking every row after it;
 * the inbox gains an index for pruning by age.
 */
export class MessagingParkingAndPruning1732500000002 implements MigrationInterface {
  name = 'MessagingParkingAndPruning1732500000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE outbox ADD COLUMN parked_at timestamptz, ADD COLUMN park_reason text');
    await runner.query('DROP INDEX outbox_unpublished_idx');
    await runner.query(
      'CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL AND parked_at IS NULL',
    );
    await runner.query('CREATE INDEX inbox_processed_at_idx ON inbox (processed_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX inbox_processed_at_idx');
    await runner.query('DROP INDEX outbox_unpublished_idx');
    await runner.query('CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL');
    await runner.query('ALTER TABLE outbox DROP COLUMN parked_at, DROP COLUMN park_reason');
  }
}

/** The messaging library's migrations, in order: every service runs them before its own. */
/** A row with a null payload is a tombstone: on a compacted topic it deletes the key. */
export class MessagingTombstones1732500000003 implements MigrationInterface {
  name = 'MessagingTombstones1732500000003';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DELETE FROM outbox WHERE payload IS NULL');
    await runner.query('ALTER TABLE outbox ALTER COLUMN payload SET NOT NULL');
  }
}

export const MESSAGING_MIGRATIONS = [
  MessagingTables1732500000000,
  MessagingParkingAndPruning1732500000002,
  MessagingTombstones1732500000003,
];
