import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { execute, queryOne } from '@crm/persistence';
import { CampaignsConfig } from '../campaigns.config';

/** Announced when the clock moves, so every timer worker looks again. */
export const CLOCK_CHANNEL = 'crm_campaign_clock';

/**
 * The one clock of growth-campaigns' timers (journeys, cadences): real time, moved forward by an offset that
 * tests set through the API when JOURNEY_CLOCK_CONTROL is on (never in production). The offset is a row, so
 * every replica reads the same time.
 */
@Injectable()
export class CampaignClock {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: CampaignsConfig,
  ) {}

  get controllable(): boolean {
    return this.config.JOURNEY_CLOCK_CONTROL;
  }

  async now(manager: EntityManager | DataSource = this.dataSource): Promise<Date> {
    if (!this.config.JOURNEY_CLOCK_CONTROL) return new Date();
    const row = await queryOne<{ offset_ms: string }>(
      manager,
      'SELECT offset_ms FROM journey_clock WHERE id = 1',
    );
    return new Date(Date.now() + Number(row?.offset_ms ?? 0));
  }

  /** Milliseconds of this clock until the instant a query answers as `at` (a next timer), if any. */
  async msUntil(sql: string): Promise<number | undefined> {
    const row = await queryOne<{ at: Date | null }>(this.dataSource, sql);
    if (!row?.at) return undefined;
    return row.at.getTime() - (await this.now()).getTime();
  }

  async advance(ms: number, channels: string[]): Promise<Date> {
    await this.dataSource.transaction(async (manager) => {
      await execute(manager, 'UPDATE journey_clock SET offset_ms = offset_ms + $1 WHERE id = 1', [ms]);
      for (const channel of channels)
        await manager.query('SELECT pg_notify($1, current_schema())', [channel]);
    });
    return this.now();
  }
}
