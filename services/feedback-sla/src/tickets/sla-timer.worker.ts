import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SlaBreached, type SlaMetric } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { FeedbackConfig } from '../feedback.config';
import { slaBreaches, slaOutcomes, slaTimerLag } from './sla.metrics';

/**
 * Durable SLA timers: rows in Postgres, claimed with SKIP LOCKED so that several replicas never fire
 * the same one, marked fired in the transaction that writes the `sla breached` event. A timer that came
 * due while the service was down fires at start, carrying the true deadline.
 */
@Injectable()
export class SlaTimerWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SlaTimerWorker.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly config: FeedbackConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.fireDue()
        .catch((error: Error) => this.logger.warn({ msg: 'SLA timer round failed', error: error.message }))
        .finally(() => (this.running = undefined));
    }, this.config.SLA_TIMER_POLL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async fireDue(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await manager.query(
        `SELECT t.id, t.ticket_id, t.metric, t.due_at, k.customer_id, k.policy_id, k.correlation_id
           FROM sla_timers t JOIN tickets k ON k.id = t.ticket_id
          WHERE t.fired_at IS NULL AND t.cancelled_at IS NULL AND t.due_at <= now()
          ORDER BY t.due_at LIMIT 100 FOR UPDATE OF t SKIP LOCKED`,
      );
      for (const timer of due) {
        const now = new Date();
        const metric = timer.metric as SlaMetric;
        await manager.query('UPDATE sla_timers SET fired_at = $2 WHERE id = $1', [timer.id, now]);
        const column = metric === 'first-response' ? 'first_response_breached_at' : 'resolution_breached_at';
        await manager.query(`UPDATE tickets SET ${column} = $2 WHERE id = $1`, [timer.ticket_id, now]);
        await this.outbox.publish(
          manager,
          SlaBreached,
          {
            customerId: timer.customer_id,
            ticketId: timer.ticket_id,
            metric,
            policy: timer.policy_id,
            dueAt: new Date(timer.due_at).toISOString(),
            breachedAt: now.toISOString(),
          },
          { subject: timer.customer_id, correlationId: timer.correlation_id },
        );
        slaBreaches().inc({ policy: timer.policy_id, metric });
        slaOutcomes().inc({ policy: timer.policy_id, metric, outcome: 'breached' });
        slaTimerLag().observe((now.getTime() - new Date(timer.due_at).getTime()) / 1000);
        this.logger.warn({
          msg: 'SLA breached',
          ticketId: timer.ticket_id,
          metric,
          policy: timer.policy_id,
          dueAt: timer.due_at,
        });
      }
      return due.length;
    });
  }
}
