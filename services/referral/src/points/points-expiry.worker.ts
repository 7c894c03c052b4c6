import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PointsChanged } from '@crm/contracts';
import { OutboxPublisher, PG_NOTIFICATIONS } from '@crm/messaging';
import type { PgNotifications } from '@crm/persistence';
import { DueLoop } from '@crm/service-kit';
import { ReferralConfig } from '../referral.config';
import { POINTS_LOTS_CHANNEL, PointsLedger } from './points-ledger';

/**
 * Expires earned points when their lot's `expires_at` comes (read from the service clock): a durable timer
 * per lot, not a nightly scan. Sleeps until the next expiry, wakes when a lot is earned anywhere (NOTIFY)
 * or the clock is moved, and otherwise looks at most every POINTS_EXPIRY_POLL_MS; lots are claimed with
 * SKIP LOCKED, so replicas never expire one twice.
 */
@Injectable()
export class PointsExpiryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PointsExpiryWorker.name);
  private readonly loop: DueLoop;

  constructor(
    private readonly ledger: PointsLedger,
    private readonly outbox: OutboxPublisher,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
    config: ReferralConfig,
  ) {
    this.loop = new DueLoop(this.logger, 'points expiry round failed', config.POINTS_EXPIRY_POLL_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.startOnChannel(this.notifications, POINTS_LOTS_CHANNEL, async () => {
      for (let expired = 100; expired === 100;)
        expired = await this.ledger.expireDue((manager, movement) =>
          this.outbox.publish(manager, PointsChanged, movement, {
            subject: movement.customerId,
            correlationId: `points-expiry-${movement.entryId}`,
          }),
        );
      return this.ledger.msUntilNextExpiry();
    });
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
