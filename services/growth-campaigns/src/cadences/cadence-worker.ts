import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PG_NOTIFICATIONS } from '@crm/messaging';
import type { PgNotifications } from '@crm/persistence';
import { DueLoop } from '@crm/service-kit';
import { CampaignsConfig } from '../campaigns.config';
import { CADENCE_TIMERS_CHANNEL, CadencesService } from './cadences.service';

const BATCH = 100;

/** Fires cadence timers when due (by the campaigns clock): a task per missed period, exactly once. */
@Injectable()
export class CadenceWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: DueLoop;

  constructor(
    private readonly cadences: CadencesService,
    config: CampaignsConfig,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
  ) {
    this.loop = new DueLoop(
      new Logger(CadenceWorker.name),
      'cadence round failed',
      config.JOURNEY_TIMER_POLL_MS,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.startOnChannel(this.notifications, CADENCE_TIMERS_CHANNEL, async () =>
      (await this.cadences.fireDue(BATCH)) === BATCH ? 0 : this.cadences.nextDueMs(),
    );
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
