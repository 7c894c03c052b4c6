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
import { JOURNEY_RUNS_CHANNEL, JourneysService } from './journeys.service';

const BATCH = 100;

/**
 * Fires journey timers when they are due: it sleeps until the next one (by the journeys clock), wakes when a
 * run gets a timer or the clock is moved (NOTIFY), and otherwise looks every JOURNEY_TIMER_POLL_MS. Replicas
 * share the due runs (SKIP LOCKED); a run advances in one transaction with its touches, so a process killed
 * mid-round leaves the run where it was, and the next round (here or on another replica) takes it once.
 */
@Injectable()
export class JourneyWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JourneyWorker.name);
  private readonly loop: DueLoop;

  constructor(
    private readonly journeys: JourneysService,
    config: CampaignsConfig,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
  ) {
    this.loop = new DueLoop(this.logger, 'journey timer round failed', config.JOURNEY_TIMER_POLL_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.startOnChannel(this.notifications, JOURNEY_RUNS_CHANNEL, async () =>
      (await this.journeys.fireDue(BATCH)) === BATCH ? 0 : this.journeys.nextDueMs(),
    );
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
