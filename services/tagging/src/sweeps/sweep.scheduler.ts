import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TaggingConfig } from '../tagging.config';
import { SweepService } from './sweep.service';

/**
 * The daily sweep as a durable schedule in Postgres: whichever replica claims the due row (SKIP LOCKED)
 * moves it to the next day and runs the sweep. A sweep missed while every replica was down runs at start.
 */
@Injectable()
export class SweepScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SweepScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sweeps: SweepService,
    private readonly config: TaggingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runIfDue()
        .catch((error: Error) => this.logger.warn({ msg: 'scheduled sweep failed', error: error.message }))
        .finally(() => (this.running = undefined));
    }, this.config.TAGGING_SCHEDULE_POLL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async runIfDue(): Promise<void> {
    const claimed = await this.dataSource.transaction(async (manager) => {
      const [job] = await manager.query(
        `SELECT name FROM scheduled_jobs WHERE name = 'daily-sweep' AND next_run_at <= now() FOR UPDATE SKIP LOCKED`,
      );
      if (!job) return false;
      await manager.query(
        `UPDATE scheduled_jobs SET next_run_at = next_run_at + make_interval(secs => $1) * greatest(1, ceil(extract(epoch FROM now() - next_run_at) / $1)),
                last_run_at = now() WHERE name = 'daily-sweep'`,
        [this.config.TAGGING_SWEEP_INTERVAL_HOURS * 3600],
      );
      return true;
    });
    if (claimed) await this.sweeps.run({ trigger: 'schedule' });
  }
}
