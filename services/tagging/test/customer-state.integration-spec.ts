import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { CustomerState } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import type { PgNotifications } from '@crm/persistence';
import { testSchema, type TestSchema } from '@crm/testing';
import { TAGGING_MIGRATIONS } from '../src/migrations';
import { CustomerStatePublisher } from '../src/state/customer-state.publisher';

/**
 * The compacted state topic never ends on an older state: a change that commits while the state worker
 * takes the customer's earlier mark is published by a later round (against real Postgres, the worker's
 * rounds called by hand, a writer holding its transaction open on a connection of its own).
 */
const url = process.env.DATABASE_URL!;
let tables: TestSchema;
let dataSource: DataSource;
let publisher: CustomerStatePublisher;

beforeAll(async () => {
  tables = await testSchema('tagging_state', TAGGING_MIGRATIONS);
  dataSource = tables.dataSource;
  const outbox = new OutboxPublisher({
    serviceName: 'tagging',
    schema: tables.schema,
    brokers: '',
    databaseUrl: url,
  });
  // The rounds are called by hand here: the worker's wake-up channel is never listened to.
  publisher = new CustomerStatePublisher(dataSource, outbox, {} as PgNotifications);
});

afterAll(() => tables.drop());

/** The consents of the last state event written for the customer, by outbox order. */
async function lastPublishedConsents(customerId: string): Promise<unknown> {
  const [row] = (await dataSource.query(
    `SELECT payload FROM outbox WHERE event_type = $1 AND message_key = $2 ORDER BY seq DESC LIMIT 1`,
    [CustomerState.type, customerId],
  )) as { payload: string }[];
  return row ? (JSON.parse(row.payload) as { consents: unknown }).consents : undefined;
}

const consents = (granted: boolean) => [{ channel: 'email', purpose: 'marketing', granted }];

async function drain(): Promise<void> {
  while ((await publisher.publishOnce()) > 0);
}

describe('customer state marks', () => {
  it('publish a change that commits while the worker takes the earlier mark', async () => {
    const customerId = randomUUID();
    await dataSource.query(
      `INSERT INTO customers (customer_id, registered, consents) VALUES ($1, true, $2)`,
      [customerId, JSON.stringify(consents(true))],
    );
    await drain();
    expect(await lastPublishedConsents(customerId)).toEqual(consents(true));

    // A first change, committed: the customer is marked.
    await dataSource.query(`UPDATE customers SET consents = $2 WHERE customer_id = $1`, [
      customerId,
      JSON.stringify(consents(false)),
    ]);
    // A second change, not committed yet, on a connection of its own.
    const writer = new Client({ connectionString: url, options: `-c search_path=${tables.schema}` });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`UPDATE customers SET consents = $2 WHERE customer_id = $1`, [
        customerId,
        JSON.stringify(consents(true)),
      ]);
      // The worker's round takes the first mark and reads the customer without the second change.
      expect(await publisher.publishOnce()).toBeGreaterThan(0);
      expect(await lastPublishedConsents(customerId)).toEqual(consents(false));
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    // The second change is published by a later round: the topic ends on the latest state.
    await drain();
    expect(await lastPublishedConsents(customerId)).toEqual(consents(true));
  });
});
