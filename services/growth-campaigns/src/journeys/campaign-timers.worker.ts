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
import { CADENCE_TIMERS_CHANNEL, CadencesService } from '../cadences/cadences.service';
import { JOURNEY_RUNS_CHANNEL, JourneysService } from './journeys.service';
import { ContactDeadlinesService } from '../cadences/contact-deadlines.service';
import { DateTriggersService } from '../dates/date-triggers.service';

const BATCH = 100;

/**
 * Fires growth-campaigns' durable timers when they are due by the campaigns clock: journey steps,
 * maintenance cadences, contact deadlines
 * and date triggers. It sleeps until the nearest next timer and otherwise looks every JOURNEY_TIMER_POLL_MS; a
 * new timer's notification (which says when it is due) brings the round forward only if it is due sooner, and
 * a moved clock (NOTIFY) wakes it at once. Replicas share the
 * due rows (SKIP LOCKED); each row advances in one transaction with its effects, so a process killed mid-round
 * leaves it where it was, and the next round (here or on another replica) takes it once.
 */
@Injectable()
export class CampaignTimersWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CampaignTimersWorker.name);
  private readonly loop: DueLoop;

  constructor(
    private readonly journeys: JourneysService,
    private readonly cadences: CadencesService,
    private readonly deadlines: ContactDeadlinesService,
    private readonly dates: DateTriggersService,
    config: CampaignsConfig,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
  ) {
    this.loop = new DueLoop(this.logger, 'campaign timer round failed', config.JOURNEY_TIMER_POLL_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.notifications.listen(CADENCE_TIMERS_CHANNEL, (payload) => this.loop.notice(payload));
    await this.loop.startOnChannel(this.notifications, JOURNEY_RUNS_CHANNEL, () => this.round());
  }

  private async round(): Promise<number | undefined> {
    const steps = await this.journeys.fireDue(BATCH);
    const cadences = await this.cadences.fireDue(BATCH);
    const deadlines = await this.deadlines.fireDue(BATCH);
    const dates = await this.dates.fireDue(BATCH);
    if ([steps, cadences, deadlines, dates].includes(BATCH)) return 0;
    const next = [
      await this.journeys.nextDueMs(),
      await this.cadences.nextDueMs(),
      await this.deadlines.nextDueMs(),
      await this.dates.nextDueMs(),
    ].filter((ms): ms is number => ms !== undefined);
    return next.length > 0 ? Math.min(...next) : undefined;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
