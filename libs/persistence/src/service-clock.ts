import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { execute, queryOne } from './sql';

/** Announced when a service's clock moves, so every durable timer loop of that service looks again. */
export const CLOCK_CHANNEL = 'crm_clock_advanced';

/** The longest step one call may move a clock: a little over a year (annual triggers, quarterly cadences). */
export const MAX_CLOCK_STEP_MS = 400 * 86_400_000;

/**
 * The one clock every timer of a service reads (SLA deadlines, journeys, cadences, date triggers, care
 * dispatch, periodic jobs): real time, moved forward by an offset that tests set through the API when
 * CLOCK_CONTROL is on (refused in production). The offset is a row in the service's schema, so every
 * replica reads the same time; without CLOCK_CONTROL the row is never read and `now()` is the wall clock.
 */
export class ServiceClock {
  constructor(
    private readonly dataSource: DataSource,
    readonly controllable: boolean,
  ) {}

  async now(manager: EntityManager | DataSource = this.dataSource): Promise<Date> {
    if (!this.controllable) return new Date();
    return new Date(Date.now() + (await this.offsetMs(manager)));
  }

  /** How far this clock has been moved ahead of real time, exactly as stored (0 where it cannot move). */
  async offsetMs(manager: EntityManager | DataSource = this.dataSource): Promise<number> {
    if (!this.controllable) return 0;
    const row = await queryOne<{ offset_ms: string }>(
      manager,
      'SELECT offset_ms FROM service_clock WHERE id = 1',
    );
    return Number(row?.offset_ms ?? 0);
  }

  /** Milliseconds of this clock until the instant a query answers as `at` (a next timer), if any. */
  async msUntil(sql: string, parameters: unknown[] = []): Promise<number | undefined> {
    const row = await queryOne<{ at: Date | null }>(this.dataSource, sql, parameters);
    if (!row?.at) return undefined;
    return new Date(row.at).getTime() - (await this.now()).getTime();
  }

  /** Moves the clock forward and wakes every timer loop of the service (see `CLOCK_CHANNEL`). */
  async advance(ms: number): Promise<Date> {
    if (!this.controllable) throw new Error('this clock is not controllable (CLOCK_CONTROL is off)');
    if (!Number.isInteger(ms) || ms < 1 || ms > MAX_CLOCK_STEP_MS)
      throw new RangeError(`a clock moves forward by 1 to ${MAX_CLOCK_STEP_MS} ms at a time, not ${ms}`);
    await this.dataSource.transaction(async (manager) => {
      await execute(manager, 'UPDATE service_clock SET offset_ms = offset_ms + $1 WHERE id = 1', [ms]);
      await manager.query('SELECT pg_notify($1, current_schema())', [CLOCK_CHANNEL]);
    });
    return this.now();
  }
}

/** The `service_clock` row `ServiceClock` reads, owned here so every service has it. Idempotent. */
export class ServiceClockTable1732500000002 implements MigrationInterface {
  name = 'ServiceClockTable1732500000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS service_clock (
        id int PRIMARY KEY CHECK (id = 1),
        offset_ms bigint NOT NULL DEFAULT 0 CHECK (offset_ms >= 0)
      )`);
    await runner.query('INSERT INTO service_clock (id, offset_ms) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS service_clock');
  }
}
