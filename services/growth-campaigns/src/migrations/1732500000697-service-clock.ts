import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * growth-campaigns' own journeys clock becomes the service clock every service has (`service_clock`, from
 * @crm/persistence): the offset a test or staging moved it by carries over.
 */
export class ServiceClock1732500000697 implements MigrationInterface {
  name = 'ServiceClock1732500000697';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      UPDATE service_clock SET offset_ms = greatest(service_clock.offset_ms, j.offset_ms)
        FROM journey_clock j WHERE service_clock.id = 1 AND j.id = 1`);
    await runner.query('DROP TABLE journey_clock');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE TABLE journey_clock (id int PRIMARY KEY CHECK (id = 1), offset_ms bigint NOT NULL)',
    );
    await runner.query(
      'INSERT INTO journey_clock (id, offset_ms) SELECT 1, offset_ms FROM service_clock WHERE id = 1',
    );
  }
}
