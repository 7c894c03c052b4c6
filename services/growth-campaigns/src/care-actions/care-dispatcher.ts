import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { counter } from '@crm/observability';
import { execute, queryRows } from '@crm/persistence';
import { Poller } from '@crm/service-kit';
import { CHANNEL_ADAPTER, type ChannelAdapter } from './channel-adapter';

const deliveries = () =>
  counter('crm_care_deliveries_total', 'Care touches handed to a channel', ['channel', 'outcome']);
const MAX_ATTEMPTS = 5;

interface PendingTouchRow {
  id: string;
  customer_id: string;
  channel: string;
  action: string;
  purpose: 'service' | 'marketing';
  idempotency_key: string;
  delivery_attempts: number;
}

/**
 * Delivers triggered care actions through the channel adapter, after their transaction committed.
 * Rows are claimed with SKIP LOCKED, so replicas share the work; the idempotency key makes a repeat harmless.
 */
@Injectable()
export class CareDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CareDispatcher.name);
  private readonly poller = new Poller(this.logger, 'care dispatch round failed');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CHANNEL_ADAPTER) private readonly adapter: ChannelAdapter,
  ) {}

  onApplicationBootstrap(): void {
    this.poller.start(250, () => this.dispatchOnce());
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.poller.stop();
  }

  async dispatchOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<PendingTouchRow>(
        manager,
        `SELECT id, customer_id, channel, action, purpose, idempotency_key, delivery_attempts FROM care_actions
          WHERE status = 'triggered' ORDER BY created_at LIMIT 50 FOR UPDATE SKIP LOCKED`,
      );
      for (const row of rows) {
        try {
          await this.adapter.deliver({
            careActionId: row.id,
            customerId: row.customer_id,
            channel: row.channel,
            action: row.action,
            purpose: row.purpose,
            idempotencyKey: row.idempotency_key,
          });
          await execute(
            manager,
            `UPDATE care_actions SET status = 'delivered', delivered_at = now(), delivery_attempts = delivery_attempts + 1 WHERE id = $1`,
            [row.id],
          );
          deliveries().inc({ channel: row.channel, outcome: 'delivered' });
        } catch (error) {
          const failed = row.delivery_attempts + 1 >= MAX_ATTEMPTS;
          await execute(
            manager,
            `UPDATE care_actions SET delivery_attempts = delivery_attempts + 1, status = $2, reason = $3 WHERE id = $1`,
            [
              row.id,
              failed ? 'failed' : 'triggered',
              failed ? `delivery failed: ${(error as Error).message}` : null,
            ],
          );
          deliveries().inc({ channel: row.channel, outcome: failed ? 'failed' : 'retry' });
        }
      }
      return rows.length;
    });
  }
}
