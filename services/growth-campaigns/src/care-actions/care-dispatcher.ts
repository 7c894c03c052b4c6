import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CareDeliveryFailed, type Channel, type Purpose } from '@crm/contracts';
import { OutboxPublisher, PG_NOTIFICATIONS } from '@crm/messaging';
import { counter } from '@crm/observability';
import { execute, queryOne, queryRows, type PgNotifications, ServiceClock } from '@crm/persistence';
import { DueLoop, retryDelayMs, signLinkToken } from '@crm/service-kit';

export { retryDelayMs };
import { CampaignsConfig } from '../campaigns.config';
import { CHANNEL_ADAPTER, type ChannelAdapter, type OutboundTouch } from './channel-adapter';
import { UndeliverableError } from './drivers';
import { TemplatesService } from '../templates/templates.service';
import { links as linksFor } from '../templates/template-renderer';

const deliveries = () =>
  counter('crm_care_deliveries_total', 'Care touches handed to a channel', ['channel', 'outcome']);
const BATCH = 50;
/** Announced (at commit) when a touch is triggered, so a dispatcher wakes for it at once. */
export const CARE_ACTIONS_CHANNEL = 'crm_care_actions';

interface ClaimedTouchRow {
  id: string;
  customer_id: string;
  channel: Channel;
  action: string;
  purpose: Purpose;
  idempotency_key: string;
  delivery_attempts: number;
  created_at: Date;
  template: string | null;
  variant: string | null;
  locale: string | null;
  variables: Record<string, string>;
}

/** A claimed touch as it stands just before its call, with the customer's attributes its template may show. */
interface CurrentTouchRow {
  status: string;
  granted: boolean | null;
  value_tier: string | null;
  value_loyalty_segment: string | null;
  membership_level: string | null;
  lifecycle_stage: string | null;
}

/** Channels whose touches are written messages, rendered from a template. */
export const WRITTEN_CHANNELS: ReadonlySet<string> = new Set([
  'email',
  'sms',
  'app-push',
  'messaging-app',
  'in-app',
]);

/**
 * Milliseconds until the next triggered touch may be claimed (`ms`): the latest of its retry time (in the
 * campaign clock's time, `$1` ms ahead of the database's) and its lease's end, or now when it holds no lease.
 * Unleased touches are due at their retry time, so the earliest of them is the first in the due index; leased
 * ones are few (being delivered now) and come from their own index. Touches waiting for the end of quiet hours
 * (every marketing touch of a night) are not read row by row each round.
 */
export const NEXT_TOUCH_DUE_SQL = `
  SELECT (extract(epoch FROM least(
    (SELECT greatest(next_attempt_at - make_interval(secs => $1::float8 / 1000), now()) FROM care_actions
      WHERE status = 'triggered' AND lease_expires_at IS NULL ORDER BY next_attempt_at LIMIT 1),
    (SELECT now() WHERE EXISTS (SELECT 1 FROM care_actions
      WHERE status = 'triggered' AND lease_expires_at IS NULL AND next_attempt_at IS NULL)),
    (SELECT min(greatest(next_attempt_at - make_interval(secs => $1::float8 / 1000), lease_expires_at))
       FROM care_actions WHERE status = 'triggered' AND lease_expires_at IS NOT NULL)
  ) - now()) * 1000)::float8 AS ms`;

/**
 * Delivers triggered care actions through the channel adapter, by lease: a short statement claims due
 * touches for a while (replicas share the work, a crashed dispatcher's claims expire), the channel is called
 * outside any transaction, then the outcome is recorded. A failed call is retried with exponential backoff
 * and jitter until the purpose's maximum age; then the touch is given up as `care delivery failed` (event,
 * metric, alert), never dropped silently. Consent and erasure are checked again just before each call; the
 * idempotency key (the webhook id) makes a repeat after a crash harmless at the channel. The dispatcher
 * sleeps until the next retry or lease expiry is due, wakes when a touch is triggered (NOTIFY), and otherwise
 * looks at most every CARE_DISPATCH_POLL_MS.
 */
@Injectable()
export class CareDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CareDispatcher.name);
  private readonly loop: DueLoop;
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly config: CampaignsConfig,
    @Inject(CHANNEL_ADAPTER) private readonly adapter: ChannelAdapter,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
    private readonly clock: ServiceClock,
    private readonly templates: TemplatesService,
  ) {
    this.loop = new DueLoop(this.logger, 'care dispatch round failed', config.CARE_DISPATCH_POLL_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.startOnChannel(this.notifications, CARE_ACTIONS_CHANNEL, async () =>
      (await this.dispatchOnce()) === BATCH ? 0 : this.nextDueMs(),
    );
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Milliseconds until the next touch may be claimed: its retry time, or its lease running out. */
  private async nextDueMs(): Promise<number | undefined> {
    // Retries and quiet-hours waits are in the campaign clock's time; leases in the database's.
    const offsetMs = (await this.clock.now()).getTime() - Date.now();
    const next = await queryOne<{ ms: number | null }>(this.dataSource, NEXT_TOUCH_DUE_SQL, [offsetMs]);
    return next?.ms ?? undefined;
  }

  /** One round: claims due touches and delivers them; answers how many were claimed. */
  async dispatchOnce(): Promise<number> {
    const leaseMs = this.config.CARE_WEBHOOK_TIMEOUT_MS * 3 + 30_000;
    const claimed = await queryRows<ClaimedTouchRow>(
      this.dataSource,
      `UPDATE care_actions c SET lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2::float8 / 1000),
              delivery_attempts = delivery_attempts + 1
        WHERE c.id IN (SELECT id FROM care_actions
                        WHERE status = 'triggered' AND next_attempt_at <= $4
                          AND (lease_expires_at IS NULL OR lease_expires_at < now())
                        ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, customer_id, channel, action, purpose, idempotency_key, delivery_attempts, created_at,
                  template, variant, locale, variables`,
      [this.owner, leaseMs, BATCH, await this.clock.now()],
    );
    const concurrency = this.config.CARE_DISPATCH_CONCURRENCY ?? 8;
    for (let i = 0; i < claimed.length; i += concurrency)
      await Promise.all(claimed.slice(i, i + concurrency).map((touch) => this.deliver(touch)));
    return claimed.length;
  }

  private async deliver(touch: ClaimedTouchRow): Promise<void> {
    const current = await this.current(touch);
    const blocked = this.blockedReason(touch, current);
    if (blocked) {
      await this.finish(touch, blocked.status, blocked.reason);
      deliveries().inc({ channel: touch.channel, outcome: blocked.status });
      return;
    }
    try {
      await this.adapter.deliver({
        careActionId: touch.id,
        customerId: touch.customer_id,
        channel: touch.channel,
        action: touch.action,
        purpose: touch.purpose,
        idempotencyKey: touch.idempotency_key,
        message: WRITTEN_CHANNELS.has(touch.channel) ? await this.write(touch, current) : undefined,
      });
    } catch (error) {
      if (error instanceof UndeliverableError) {
        await this.finish(touch, 'suppressed', `undeliverable: ${error.message}`);
        deliveries().inc({ channel: touch.channel, outcome: 'undeliverable' });
        return;
      }
      await this.failed(touch, (error as Error).message);
      return;
    }
    await this.finish(touch, 'delivered', null);
    deliveries().inc({ channel: touch.channel, outcome: 'delivered' });
  }

  /** The touch's template rendered for the customer's locale (English when theirs is missing). */
  private async write(
    touch: ClaimedTouchRow,
    attributes: CurrentTouchRow | undefined,
  ): Promise<OutboundTouch['message']> {
    const template = touch.template ?? touch.action;
    const surveyId = touch.variables?.surveyId;
    const links = linksFor(this.templates.linkPatterns(), {
      customerId: touch.customer_id,
      touchId: touch.id,
      surveyId,
      // The one-time answer link, minted as the survey is sent: it works for SURVEY_LINK_TTL_HOURS from now.
      surveyToken:
        surveyId && this.config.SURVEY_LINK_SECRET
          ? signLinkToken(
              this.config.SURVEY_LINK_SECRET,
              surveyId,
              new Date(
                (await this.clock.now()).getTime() + (this.config.SURVEY_LINK_TTL_HOURS ?? 168) * 3_600_000,
              ),
            )
          : undefined,
    });
    const rendered = await this.templates.render(this.dataSource, template, touch.locale, {
      customer: {
        id: touch.customer_id,
        valueTier: attributes?.value_tier ?? undefined,
        valueLoyaltySegment: attributes?.value_loyalty_segment ?? undefined,
        membershipLevel: attributes?.membership_level ?? undefined,
        lifecycleStage: attributes?.lifecycle_stage ?? undefined,
      },
      touch: {
        id: touch.id,
        action: touch.action,
        channel: touch.channel,
        variant: touch.variant ?? undefined,
      },
      links,
      moment: touch.variables ?? {},
    });
    if (!rendered) throw new Error(`template ${template} has no version in any locale`);
    return {
      template,
      locale: rendered.locale,
      subject: rendered.subject,
      body: rendered.body,
      unsubscribe: links.unsubscribe,
    };
  }

  /**
   * Just before the call, in one read: the touch's status and the customer's marketing consent on its channel
   * now, and the attributes its template may show.
   */
  private async current(touch: ClaimedTouchRow): Promise<CurrentTouchRow | undefined> {
    return queryOne<CurrentTouchRow>(
      this.dataSource,
      `SELECT a.status, c.granted, t.value_tier, t.value_loyalty_segment, t.membership_level, t.lifecycle_stage
         FROM care_actions a
         LEFT JOIN consents c ON c.customer_id = a.customer_id AND c.channel = a.channel AND c.purpose = 'marketing'
         LEFT JOIN customer_attributes t ON t.customer_id = a.customer_id
        WHERE a.id = $1`,
      [touch.id],
    );
  }

  /** Erased (cancelled) since the claim, or marketing consent withdrawn. */
  private blockedReason(
    touch: ClaimedTouchRow,
    current: CurrentTouchRow | undefined,
  ): { status: 'cancelled' | 'suppressed'; reason: string } | undefined {
    if (current?.status !== 'triggered') return { status: 'cancelled', reason: 'customer erased' };
    if (touch.purpose === 'marketing' && current.granted !== true)
      return { status: 'suppressed', reason: 'consent withdrawn before delivery' };
    return undefined;
  }

  private async finish(touch: ClaimedTouchRow, status: string, reason: string | null): Promise<void> {
    await execute(
      this.dataSource,
      `UPDATE care_actions SET status = $3, reason = coalesce($4, reason),
              delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END,
              lease_owner = NULL, lease_expires_at = NULL
        WHERE id = $1 AND lease_owner = $2 AND status = 'triggered'`,
      [touch.id, this.owner, status, reason],
    );
  }

  /** A failed call: retried after a backoff, or given up once the purpose's maximum age would pass. */
  private async failed(touch: ClaimedTouchRow, error: string): Promise<void> {
    const delay = retryDelayMs(
      touch.delivery_attempts,
      this.config.CARE_RETRY_BASE_MS,
      this.config.CARE_RETRY_MAX_MS,
    );
    const maxAgeMs =
      1000 *
      (touch.purpose === 'marketing'
        ? this.config.CARE_MAX_AGE_SECONDS_MARKETING
        : this.config.CARE_MAX_AGE_SECONDS_SERVICE);
    if ((await this.clock.now()).getTime() + delay - touch.created_at.getTime() <= maxAgeMs) {
      await execute(
        this.dataSource,
        `UPDATE care_actions SET next_attempt_at = $5::timestamptz + make_interval(secs => $3::float8 / 1000), last_error = $4,
                lease_owner = NULL, lease_expires_at = NULL
          WHERE id = $1 AND lease_owner = $2 AND status = 'triggered'`,
        [touch.id, this.owner, delay, error.slice(0, 2000), await this.clock.now()],
      );
      deliveries().inc({ channel: touch.channel, outcome: 'retry' });
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      const updated = await execute(
        manager,
        `UPDATE care_actions SET status = 'failed', reason = $3, last_error = $4, lease_owner = NULL, lease_expires_at = NULL
          WHERE id = $1 AND lease_owner = $2 AND status = 'triggered'`,
        [
          touch.id,
          this.owner,
          `delivery failed after ${touch.delivery_attempts} attempts`,
          error.slice(0, 2000),
        ],
      );
      if (updated === 0) return;
      await this.outbox.publish(
        manager,
        CareDeliveryFailed,
        {
          customerId: touch.customer_id,
          careActionId: touch.id,
          action: touch.action,
          purpose: touch.purpose,
          channel: touch.channel,
          idempotencyKey: touch.idempotency_key,
          attempts: touch.delivery_attempts,
          reason: error.slice(0, 2000) || 'unknown error',
          triggeredAt: touch.created_at.toISOString(),
          failedAt: new Date().toISOString(),
        },
        { subject: touch.customer_id, correlationId: `care-delivery:${touch.id}` },
      );
    });
    deliveries().inc({ channel: touch.channel, outcome: 'failed' });
    this.logger.warn({
      msg: 'care touch given up',
      careActionId: touch.id,
      attempts: touch.delivery_attempts,
      error,
    });
  }
}
