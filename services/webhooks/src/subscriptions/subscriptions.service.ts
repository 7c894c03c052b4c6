import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { WebhookSubscriptionResumed } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { invalid, notFound } from '@crm/service-kit';
import { WebhooksConfig } from '../webhooks.config';
import { DELIVERIES_CHANNEL, segmentFilterMatches } from '../deliveries/fan-out';
import type {
  CreateSubscriptionDto,
  DeliveryView,
  RotatedSecretView,
  SubscriptionView,
  SubscriptionWithSecretView,
  UpdateSubscriptionDto,
} from './subscription.dto';

interface SubscriptionRow {
  id: string;
  name: string;
  url: string;
  event_types: string[];
  segment_filter: string | null;
  status: string;
  consecutive_failures: number;
  last_error: string | null;
  created_at: Date;
  pending: number;
}

const SELECT_SUBSCRIPTION = `
  SELECT s.id, s.name, s.url, s.event_types, s.segment_filter, s.status, s.consecutive_failures, s.last_error,
         s.created_at,
         (SELECT count(*)::int FROM deliveries d WHERE d.subscription_id = s.id AND d.status = 'pending') AS pending
    FROM subscriptions s`;

function view(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    eventTypes: row.event_types,
    segmentFilter: row.segment_filter,
    status: row.status,
    consecutiveFailures: row.consecutive_failures,
    lastError: row.last_error,
    pendingDeliveries: row.pending,
    createdAt: row.created_at,
  };
}

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes, base64. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Webhook subscriptions: created, changed, deleted, their secret rotated, resumed and replayed by API. */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly config: WebhooksConfig,
  ) {}

  private checkUrl(url: string | undefined): void {
    if (url !== undefined && this.config.WEBHOOK_URL_SCHEMES === 'https' && !url.startsWith('https://'))
      throw invalid('url', 'url must be https');
  }

  async create(dto: CreateSubscriptionDto, createdBy: string): Promise<SubscriptionWithSecretView> {
    this.checkUrl(dto.url);
    const id = randomUUID();
    const secret = newSecret();
    await this.dataSource.transaction(async (manager) => {
      await execute(
        manager,
        `INSERT INTO subscriptions (id, name, url, event_types, segment_filter, status, created_by)
         VALUES ($1, $2, $3, $4, $5, 'active', $6)`,
        [id, dto.name, dto.url, [...new Set(dto.eventTypes)], dto.segmentFilter ?? null, createdBy],
      );
      await execute(manager, 'INSERT INTO subscription_secrets (subscription_id, secret) VALUES ($1, $2)', [
        id,
        secret,
      ]);
    });
    return { ...(await this.get(id)), secret };
  }

  async list(): Promise<SubscriptionView[]> {
    return (
      await queryRows<SubscriptionRow>(
        this.dataSource,
        `${SELECT_SUBSCRIPTION} WHERE s.status <> 'deleted' ORDER BY s.created_at, s.id`,
      )
    ).map(view);
  }

  async get(id: string, manager: EntityManager | DataSource = this.dataSource): Promise<SubscriptionView> {
    const row = await queryOne<SubscriptionRow>(
      manager,
      `${SELECT_SUBSCRIPTION} WHERE s.id = $1 AND s.status <> 'deleted'`,
      [id],
    );
    if (!row) throw notFound('webhook subscription', id);
    return view(row);
  }

  async update(id: string, dto: UpdateSubscriptionDto): Promise<SubscriptionView> {
    this.checkUrl(dto.url);
    const changed = await execute(
      this.dataSource,
      `UPDATE subscriptions SET name = coalesce($2::text, name), url = coalesce($3::text, url),
              event_types = coalesce($4::text[], event_types),
              segment_filter = CASE WHEN $5::boolean THEN $6::text ELSE segment_filter END, updated_at = now()
        WHERE id = $1 AND status <> 'deleted'`,
      [
        id,
        dto.name ?? null,
        dto.url ?? null,
        dto.eventTypes ? [...new Set(dto.eventTypes)] : null,
        dto.segmentFilter !== undefined,
        dto.segmentFilter ?? null,
      ],
    );
    if (changed === 0) throw notFound('webhook subscription', id);
    return this.get(id);
  }

  /** Deletes the subscription; its pending deliveries are cancelled, its log kept until the rows are pruned. */
  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const changed = await execute(
        manager,
        `UPDATE subscriptions SET status = 'deleted', updated_at = now() WHERE id = $1 AND status <> 'deleted'`,
        [id],
      );
      if (changed === 0) throw notFound('webhook subscription', id);
      await execute(
        manager,
        `UPDATE deliveries SET status = 'cancelled' WHERE subscription_id = $1 AND status = 'pending'`,
        [id],
      );
    });
  }

  /**
   * A new secret signs from now on; the previous one keeps signing beside it (two signatures per delivery)
   * for WEBHOOK_SECRET_OVERLAP_SECONDS, so the receiver can switch at any moment in between.
   */
  async rotateSecret(id: string): Promise<RotatedSecretView> {
    await this.get(id);
    const secret = newSecret();
    const expiresAt = new Date(Date.now() + this.config.WEBHOOK_SECRET_OVERLAP_SECONDS * 1000);
    await this.dataSource.transaction(async (manager) => {
      await execute(
        manager,
        `UPDATE subscription_secrets SET expires_at = least(coalesce(expires_at, $2), $2)
          WHERE subscription_id = $1`,
        [id, expiresAt],
      );
      await execute(manager, 'INSERT INTO subscription_secrets (subscription_id, secret) VALUES ($1, $2)', [
        id,
        secret,
      ]);
    });
    return { secret, previousSecretExpiresAt: expiresAt };
  }

  /** Resumes a paused subscription: failures reset, pending deliveries go out in order. */
  async resume(id: string, actor: string, correlationId: string): Promise<SubscriptionView> {
    const resumed = await this.dataSource.transaction(async (manager) => {
      const row = await queryOne<{ name: string; status: string }>(
        manager,
        `SELECT name, status FROM subscriptions WHERE id = $1 AND status <> 'deleted' FOR UPDATE`,
        [id],
      );
      if (!row) throw notFound('webhook subscription', id);
      if (row.status !== 'paused') return this.get(id, manager);
      await execute(
        manager,
        `UPDATE subscriptions SET status = 'active', consecutive_failures = 0, updated_at = now() WHERE id = $1`,
        [id],
      );
      await execute(
        manager,
        `UPDATE deliveries SET next_attempt_at = now() WHERE subscription_id = $1 AND status = 'pending'`,
        [id],
      );
      const current = await this.get(id, manager);
      await this.outbox.publish(
        manager,
        WebhookSubscriptionResumed,
        {
          subscriptionId: id,
          name: row.name,
          resumedBy: actor.slice(0, 120) || undefined,
          pendingDeliveries: current.pendingDeliveries,
          resumedAt: new Date().toISOString(),
        },
        { subject: id, correlationId },
      );
      await manager.query('SELECT pg_notify($1, current_schema())', [DELIVERIES_CHANNEL]);
      return current;
    });
    return resumed;
  }

  /**
   * Re-delivers the stored events of the subscription's types (and segment filter, as the customer is now)
   * that happened after `from` (and at or before `to`), in their order, as new deliveries (new webhook ids;
   * the body's event id is the original one).
   */
  async replay(id: string, from: Date, to: Date = new Date()): Promise<number> {
    if (!(from < to)) throw invalid('from', 'from must be before to');
    await this.get(id);
    return this.dataSource.transaction(async (manager) => {
      const created = await queryRows<{ id: string }>(
        manager,
        `INSERT INTO deliveries (id, subscription_id, event_id, subject, kind, status)
         SELECT gen_random_uuid(), s.id, e.event_id, e.subject, 'replay', 'pending'
           FROM subscriptions s
           JOIN events e ON e.event_type = ANY(s.event_types)
          WHERE s.id = $1 AND e.occurred_at > $2 AND e.occurred_at <= $3
            AND ${segmentFilterMatches('e.subject')}
          ORDER BY e.occurred_at, e.received_at, e.event_id
         RETURNING id`,
        [id, from, to],
      );
      await manager.query('SELECT pg_notify($1, current_schema())', [DELIVERIES_CHANNEL]);
      return created.length;
    });
  }

  async deliveries(id: string, status: string | undefined, limit: number): Promise<DeliveryView[]> {
    await this.get(id);
    const rows = await queryRows<{
      id: string;
      event_id: string;
      event_type: string;
      subject: string;
      kind: string;
      status: string;
      attempts: number;
      next_attempt_at: Date;
      delivered_at: Date | null;
      log: Array<{
        attempt: number;
        status_code: number | null;
        duration_ms: number;
        error: string | null;
        attempted_at: string;
      }> | null;
    }>(
      this.dataSource,
      `SELECT d.id, d.event_id, e.event_type, d.subject, d.kind, d.status, d.attempts, d.next_attempt_at, d.delivered_at,
              (SELECT json_agg(a ORDER BY a.attempt) FROM delivery_attempts a WHERE a.delivery_id = d.id) AS log
         FROM deliveries d JOIN events e ON e.event_id = d.event_id
        WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.status = $2)
        ORDER BY d.seq DESC LIMIT $3`,
      [id, status ?? null, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      eventType: r.event_type,
      subject: r.subject,
      kind: r.kind,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
      deliveredAt: r.delivered_at,
      log: (r.log ?? []).map((a) => ({
        attempt: a.attempt,
        statusCode: a.status_code,
        durationMs: a.duration_ms,
        error: a.error,
        attemptedAt: new Date(a.attempted_at),
      })),
    }));
  }
}
