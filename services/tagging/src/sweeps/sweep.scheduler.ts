import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { claimScheduledJob, ServiceClock } from '@crm/persistence';
import { Poller } from '@crm/service-kit';
import { TaggingConfig } from '../tagging.config';
import { SweepService } from './sweep.service';

/**
 * The daily sweep as a durable schedule in Postgres: whichever replica claims the due row (SKIP LOCKED)
 * moves it to the next day and runs the sweep as of the service clock's time (moved in tests, see
 * CLOCK_CONTROL). A sweep missed while every replica was down runs at start. It evaluates the customers
 * whose scores time could have moved, and everyone every TAGGING_FULL_REVIEW_DAYS.
 */
@Injectable()
export class SweepScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly poller = new Poller(new Logger(SweepScheduler.name), 'scheduled sweep failed');

  constructor(
    private readonly dataSource: DataSource,
    private readonly sweeps: SweepService,
    private readonly config: TaggingConfig,
    private readonly clock: ServiceClock,
  ) {}

  onApplicationBootstrap(): void {
    this.poller.start(this.config.TAGGING_SCHEDULE_POLL_MS, async () => {
      const interval = this.config.TAGGING_SWEEP_INTERVAL_HOURS * 3600;
      const now = await this.clock.now();
      if (await claimScheduledJob(this.dataSource, 'daily-sweep', interval, now))
        await this.sweeps.run({ trigger: 'schedule', asOf: now, review: await this.review(now) });
    });
  }

  /**
   * `everyone` when no finished sweep has evaluated everyone within TAGGING_FULL_REVIEW_DAYS (or ever: the
   * first scheduled sweep after an upgrade), else `due`.
   */
  async review(now: Date): Promise<'due' | 'everyone'> {
    const days = this.config.TAGGING_FULL_REVIEW_DAYS;
    if (days <= 0) return 'due';
    const last = await this.sweeps.lastFullReview();
    return last !== null && now.getTime() - last.getTime() < days * 86_400_000 ? 'due' : 'everyone';
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.poller.stop();
  }
}
