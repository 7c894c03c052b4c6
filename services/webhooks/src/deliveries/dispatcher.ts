import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WebhookSubscriptionPaused } from '@crm/contracts';
import { OutboxPublisher, PG_NOTIFICATIONS } from '@crm/messaging';
import { counter, histogram } from '@crm/observability';
import { execute, queryOne, queryRows, ServiceClock, type PgNotifications } from '@crm/persistence';
import { DueLoop, postWebhook, retryDelayMs, signWebhook, webhookSecretBytes } from '@crm/service-kit';
import { WebhooksConfig } from '../webhooks.config';
import { DELIVERIES_CHANNEL } from './fan-out';

const BATCH = 50;

const attemptsTotal = () =>
  counter('crm_webhook_attempts_total', 'Webhook delivery attempts by outcome', ['outcome']);
const attemptSeconds = () =>
  histogram(
    'crm_webhook_attempt_duration_seconds',
    'Time an endpoint took to answer a delivery',
    [],
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
const pausedTotal = () => counter('crm_webhook_subscriptions_paused_total', 'Subscriptions paused', []);

interface ClaimedDelivery {
  id: string;
  subscription_id: string;
  event_id: string;
  attempts: number;
  url: string;
  secrets: string[];
  event_type: string;
  subject: string;
  occurred_at: Date;
  source: string;
  correlation_id: string;
  payload: unknown;
}

/** The body of every delivery: the Standard Webhooks shape (`type`, `timestamp`, `data`) and the event's ids. */
export function deliveryBody(delivery: {
  event_type: string;
  occurred_at: Date;
  payload: unknown;
  event_id: string;
  source: string;
  subject: string;
  correlation_id: string;
}): string {
  return JSON.stringify({
    type: delivery.event_type,
    timestamp: delivery.occurred_at.toISOString(),
    data: delivery.payload,
    event: {
      id: delivery.event_id,
      source: delivery.source,
      subject: delivery.subject,
      correlationId: delivery.correlation_id,
    },
  });
}

/**
 * When the next pending delivery of an active subscription may be claimed (`at`): the latest of its retry time
 * and its lease's end. Unleased deliveries are due at their retry time, so the earliest of them is the first
 * in the due index; leased ones are few (being sent now) and come from their own index. The pending backlog
 * (a subscriber down for hours) is not read row by row each round.
 */
export const NEXT_DELIVERY_DUE_SQL = `
  SELECT least(
    (SELECT d.next_attempt_at FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
      WHERE d.status = 'pending' AND d.lease_expires_at IS NULL AND s.status = 'active'
      ORDER BY d.next_attempt_at LIMIT 1),
    (SELECT min(greatest(d.next_attempt_at, d.lease_expires_at)) FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
      WHERE d.status = 'pending' AND d.lease_expires_at IS NOT NULL AND s.status = 'active')
  ) AS at`;

/**
 * Sends deliveries to their endpoints. A round claims due deliveries by lease (replicas share the work; a
 * crashed dispatcher's claims expire), only the oldest pending one of each customer per subscription, so an
 * endpoint sees one customer's events in order; a later one waits until the earlier is delivered. Each
 * request is signed per Standard Webhooks (`webhook-id` is the delivery id, the same on every retry; during a
 * secret rotation it carries a signature per live secret). A failure is retried with exponential backoff and
 * jitter; WEBHOOK_PAUSE_AFTER_FAILURES failures in a row pause the subscription (an event, a metric) until
 * it is resumed. Every attempt is logged with its status code and duration.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly loop: DueLoop;
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly config: WebhooksConfig,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
    private readonly clock: ServiceClock,
  ) {
    this.loop = new DueLoop(this.logger, 'webhook dispatch round failed', config.WEBHOOK_DISPATCH_POLL_MS);
  }

  private pruning?: NodeJS.Timeout;

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.startOnChannel(this.notifications, DELIVERIES_CHANNEL, async () =>
      (await this.dispatchOnce()) > 0 ? 0 : this.nextDueMs(),
    );
    this.pruning = setInterval(() => void this.prune().catch(() => undefined), 3600_000);
    this.pruning.unref();
  }

  beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruning);
    return this.loop.stop();
  }

  /** Events older than the retention (and nothing pending for them) and finished deliveries go. */
  async prune(): Promise<{ deliveries: number; events: number }> {
    const days = this.config.WEBHOOK_EVENT_RETENTION_DAYS;
    const deliveries = await execute(
      this.dataSource,
      `DELETE FROM deliveries WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1)`,
      [days],
    );
    const events = await execute(
      this.dataSource,
      `DELETE FROM events e WHERE e.occurred_at < now() - make_interval(days => $1)
          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.event_id)`,
      [days],
    );
    return { deliveries, events };
  }

  /** Milliseconds of the service clock until the next retry is due (leases run on the database's clock). */
  private nextDueMs(): Promise<number | undefined> {
    return this.clock.msUntil(NEXT_DELIVERY_DUE_SQL);
  }

  /** One round: claims due deliveries, sends them, records the outcomes; answers how many were claimed. */
  async dispatchOnce(): Promise<number> {
    const leaseMs = this.config.WEBHOOK_TIMEOUT_MS + this.config.WEBHOOK_CONNECT_TIMEOUT_MS + 30_000;
    const claimed = await queryRows<ClaimedDelivery>(
      this.dataSource,
      `WITH claimed AS (
         UPDATE deliveries d SET lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2::float8 / 1000),
                attempts = attempts + 1
          WHERE d.id IN (
            SELECT h.id FROM deliveries h JOIN subscriptions s ON s.id = h.subscription_id
             WHERE h.status = 'pending' AND s.status = 'active' AND h.next_attempt_at <= $4
               AND (h.lease_expires_at IS NULL OR h.lease_expires_at < now())
               AND NOT EXISTS (SELECT 1 FROM deliveries e
                                WHERE e.subscription_id = h.subscription_id AND e.subject = h.subject
                                  AND e.status = 'pending' AND e.seq < h.seq)
             ORDER BY h.seq LIMIT $3 FOR UPDATE OF h SKIP LOCKED)
          RETURNING d.id, d.subscription_id, d.event_id, d.attempts)
       SELECT c.id, c.subscription_id, c.event_id, c.attempts, s.url,
              (SELECT array_agg(k.secret ORDER BY k.id DESC) FROM subscription_secrets k
                WHERE k.subscription_id = s.id AND (k.expires_at IS NULL OR k.expires_at > now())) AS secrets,
              e.event_type, e.subject, e.occurred_at, e.source, e.correlation_id, e.payload
         FROM claimed c JOIN subscriptions s ON s.id = c.subscription_id JOIN events e ON e.event_id = c.event_id`,
      [this.owner, leaseMs, BATCH, await this.clock.now()],
    );
    const concurrency = this.config.WEBHOOK_DISPATCH_CONCURRENCY;
    for (let i = 0; i < claimed.length; i += concurrency)
      await Promise.all(claimed.slice(i, i + concurrency).map((delivery) => this.send(delivery)));
    return claimed.length;
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    const body = deliveryBody(delivery);
    const timestamp = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let status: number | undefined;
    let error: string | undefined;
    try {
      const secrets = (delivery.secrets ?? []).map((s) => webhookSecretBytes(s));
      status = await postWebhook(
        new URL(delivery.url),
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'crm-platform-webhooks/1',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secrets, delivery.id, timestamp, body),
        },
        {
          connectTimeoutMs: this.config.WEBHOOK_CONNECT_TIMEOUT_MS,
          totalTimeoutMs: this.config.WEBHOOK_TIMEOUT_MS,
        },
      );
      if (status < 200 || status >= 300)
        error =
          status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
    } catch (caught) {
      error = (caught as Error).message.slice(0, 500);
    }
    const durationMs = Math.round(performance.now() - started);
    attemptSeconds().observe({}, durationMs / 1000);
    attemptsTotal().inc({ outcome: error ? 'failed' : 'delivered' });
    await this.record(delivery, status, durationMs, error);
  }

  private async record(
    delivery: ClaimedDelivery,
    status: number | undefined,
    durationMs: number,
    error: string | undefined,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await execute(
        manager,
        `INSERT INTO delivery_attempts (delivery_id, attempt, status_code, duration_ms, error) VALUES ($1, $2, $3, $4, $5)`,
        [delivery.id, delivery.attempts, status ?? null, durationMs, error ?? null],
      );
      if (!error) {
        await execute(
          manager,
          `UPDATE deliveries SET status = 'delivered', delivered_at = now(), last_status_code = $2, last_error = NULL,
                  lease_owner = NULL, lease_expires_at = NULL
            WHERE id = $1 AND status = 'pending'`,
          [delivery.id, status],
        );
        await execute(
          manager,
          `UPDATE subscriptions SET consecutive_failures = 0, last_error = NULL WHERE id = $1 AND consecutive_failures > 0`,
          [delivery.subscription_id],
        );
        // The customer's next delivery (if any) is due now.
        await manager.query('SELECT pg_notify($1, current_schema())', [DELIVERIES_CHANNEL]);
        return;
      }
      const delay = retryDelayMs(
        delivery.attempts,
        this.config.WEBHOOK_RETRY_BASE_MS,
        this.config.WEBHOOK_RETRY_MAX_MS,
      );
      await execute(
        manager,
        `UPDATE deliveries SET next_attempt_at = $5::timestamptz + make_interval(secs => $2::float8 / 1000),
                last_status_code = $3, last_error = $4, lease_owner = NULL, lease_expires_at = NULL
          WHERE id = $1 AND status = 'pending'`,
        [delivery.id, delay, status ?? null, error, await this.clock.now(manager)],
      );
      const subscription = await queryOne<{ name: string; status: string; consecutive_failures: number }>(
        manager,
        `UPDATE subscriptions SET consecutive_failures = consecutive_failures + 1, last_error = $2, updated_at = now()
          WHERE id = $1 RETURNING name, status, consecutive_failures`,
        [delivery.subscription_id, error],
      );
      if (
        subscription?.status === 'active' &&
        subscription.consecutive_failures >= this.config.WEBHOOK_PAUSE_AFTER_FAILURES
      ) {
        await execute(manager, `UPDATE subscriptions SET status = 'paused' WHERE id = $1`, [
          delivery.subscription_id,
        ]);
        const pending = await queryOne<{ n: number }>(
          manager,
          `SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = $1 AND status = 'pending'`,
          [delivery.subscription_id],
        );
        await this.outbox.publish(
          manager,
          WebhookSubscriptionPaused,
          {
            subscriptionId: delivery.subscription_id,
            name: subscription.name,
            consecutiveFailures: subscription.consecutive_failures,
            lastError: error,
            pendingDeliveries: pending?.n ?? 0,
            pausedAt: new Date().toISOString(),
          },
          { subject: delivery.subscription_id, correlationId: randomUUID() },
        );
        pausedTotal().inc({});
        this.logger.warn({
          msg: 'webhook subscription paused',
          subscriptionId: delivery.subscription_id,
          consecutiveFailures: subscription.consecutive_failures,
          lastError: error,
        });
      }
    });
  }
}
