import { randomUUID } from 'node:crypto';
import type { DataSource, MigrationInterface } from 'typeorm';
import { MESSAGING_MIGRATIONS } from '@crm/messaging';
import {
  initialiseServiceDataSource,
  ScheduledJobsTable1732500000001,
  serviceDataSourceOptions,
  ServiceClockTable1732500000002,
} from '@crm/persistence';

/** A schema of its own in the test database, migrated like a service's, and the way to remove it. */
export interface TestSchema {
  dataSource: DataSource;
  schema: string;
  /** Drops the schema and closes its connections. */
  drop(): Promise<void>;
}

/**
 * A fresh schema (`<prefix>_<random>`) of `DATABASE_URL` with the platform's own tables (outbox, inbox,
 * scheduled jobs, service clock) and then `migrations`, as a service would have them: for a test that works
 * on a service's real tables without starting the service.
 */
export async function testSchema(
  prefix: string,
  migrations: Array<new () => MigrationInterface>,
): Promise<TestSchema> {
  const schema = `${prefix}_${randomUUID().slice(0, 8)}`;
  const dataSource = await initialiseServiceDataSource(
    serviceDataSourceOptions({
      url: process.env.DATABASE_URL!,
      schema,
      entities: [],
      migrations: [
        ...MESSAGING_MIGRATIONS,
        ScheduledJobsTable1732500000001,
        ServiceClockTable1732500000002,
        ...migrations,
      ],
      poolSize: 2,
    }),
  );
  return {
    dataSource,
    schema,
    drop: async () => {
      await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await dataSource.destroy();
    },
  };
}
