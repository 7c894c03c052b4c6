import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CareActionTriggered, type EventEnvelope, type Purpose } from '@crm/contracts';
import { causedBy, causeOf, firesOn, OutboxPublisher, type Cause } from '@crm/messaging';
import { queryOne, queryRows } from '@crm/persistence';
import { counter } from '@crm/observability';
import { CampaignsConfig } from '../campaigns.config';
import { CARE_ACTIONS_CHANNEL } from './care-dispatcher';
import { decideCareAction } from './care-policy';

interface PlaybookRow {
  id: string;
  action: string;
  purpose: Purpose;
  channel: string;
  contact_due_hours: number | null;
  /** The category an offer is in; an excluded one is never offered. */
  category: string | null;
}

/** A touch to decide: from a playbook, or a journey's action step. */
export interface TouchSpec {
  /** The playbook id, or `journey:<id>` (at most 64 characters). */
  source: string;
  action: string;
  purpose: Purpose;
  channel: string;
  contactDueHours: number | null;
  category: string | null;
}

const careActions = () =>
  counter('crm_care_actions_total', 'Care actions decided by playbook and outcome', ['playbook', 'status']);

/** Playbooks change by migration only; each replica reads them again after this long. */
const PLAYBOOK_CACHE_MS = 30_000;

@Injectable()
export class CareActionsService {
  private readonly playbooks = new Map<string, { rows: PlaybookRow[]; readAt: number }>();

  constructor(
    private readonly outbox: OutboxPublisher,
    private readonly config: CampaignsConfig,
  ) {}

  /** Runs every enabled playbook for a trigger; each decision is recorded, sent or suppressed with its reason. */
  async runTrigger(
    manager: EntityManager,
    trigger: string,
    event: EventEnvelope,
    customerId: string,
  ): Promise<void> {
    // History is not news: an import, a backfill or a long-past fact updates state but touches nobody.
    if (!firesOn(event, trigger, this.config.TRIGGER_RECENCY_HOURS)) return;
    for (const playbook of await this.playbooksFor(manager, trigger))
      await this.decide(manager, playbook, event, customerId);
  }

  /** The enabled playbooks of a trigger, read once per PLAYBOOK_CACHE_MS rather than once per event. */
  private async playbooksFor(manager: EntityManager, trigger: string): Promise<PlaybookRow[]> {
    const cached = this.playbooks.get(trigger);
    if (cached && Date.now() - cached.readAt < PLAYBOOK_CACHE_MS) return cached.rows;
    const rows = await queryRows<PlaybookRow>(
      manager,
      'SELECT * FROM playbooks WHERE trigger = $1 AND enabled ORDER BY id',
      [trigger],
    );
    this.playbooks.set(trigger, { rows, readAt: Date.now() });
    return rows;
  }

  private async decide(
    manager: EntityManager,
    playbook: PlaybookRow,
    event: EventEnvelope,
    customerId: string,
  ): Promise<void> {
    await this.decideTouch(
      manager,
      {
        source: playbook.id,
        action: playbook.action,
        purpose: playbook.purpose,
        channel: playbook.channel,
        contactDueHours: playbook.contact_due_hours,
        category: playbook.category,
      },
      { idempotencyKey: `${playbook.id}:${event.id}`, triggerEventId: event.id, cause: causeOf(event) },
      customerId,
    );
  }

  /**
   * One touch through the rules of restraint (consent, frequency cap, service moments, excluded categories):
   * recorded as triggered (then delivered by the dispatcher and announced) or suppressed with its reason.
   * Answers the decision, or `duplicate` when the idempotency key was decided before.
   */
  async decideTouch(
    manager: EntityManager,
    touch: TouchSpec,
    origin: { idempotencyKey: string; triggerEventId: string; cause: Cause },
    customerId: string,
    now = new Date(),
  ): Promise<'triggered' | 'suppressed' | 'duplicate'> {
    const playbook = {
      id: touch.source,
      action: touch.action,
      purpose: touch.purpose,
      channel: touch.channel,
      contact_due_hours: touch.contactDueHours,
      category: touch.category,
    };
    const idempotencyKey = origin.idempotencyKey;
    const event = { id: origin.triggerEventId };
    const consent = await queryOne<{ granted: boolean }>(
      manager,
      'SELECT granted FROM consents WHERE customer_id = $1 AND channel = $2 AND purpose = $3',
      [customerId, playbook.channel, 'marketing'],
    );
    const recent = await queryOne<{ touches: number }>(
      manager,
      `SELECT count(*)::int AS touches FROM care_actions WHERE customer_id = $1 AND channel = $2 AND purpose = 'marketing'
          AND status IN ('triggered', 'delivered') AND created_at > now() - interval '7 days'`,
      [customerId, playbook.channel],
    );
    const moments = await queryOne<{ open: number }>(
      manager,
      'SELECT count(*)::int AS open FROM service_moments WHERE customer_id = $1 AND until > now()',
      [customerId],
    );
    const excluded = playbook.category
      ? await queryOne(
          manager,
          'SELECT 1 FROM category_exclusions WHERE customer_id = $1 AND category = $2',
          [customerId, playbook.category],
        )
      : undefined;
    const decision = decideCareAction({
      categoryExcluded: Boolean(excluded),
      purpose: playbook.purpose,
      marketingConsent: consent?.granted,
      recentMarketingTouches: recent?.touches ?? 0,
      frequencyCap: this.config.CARE_FREQUENCY_CAP,
      inServiceMoment: (moments?.open ?? 0) > 0,
    });
    const id = randomUUID();
    const contactDueAt = playbook.contact_due_hours
      ? new Date(now.getTime() + playbook.contact_due_hours * 3600_000)
      : null;
    // A triggered touch announces itself in the same statement: the dispatcher wakes at commit.
    const inserted = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO care_actions (id, customer_id, playbook_id, action, purpose, channel, status, reason, idempotency_key, trigger_event_id, contact_due_at, created_at, next_attempt_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12) ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id, (SELECT pg_notify('${CARE_ACTIONS_CHANNEL}', '') WHERE status = 'triggered') AS announced`,
      [
        id,
        customerId,
        playbook.id,
        playbook.action,
        playbook.purpose,
        playbook.channel,
        decision.status,
        decision.status === 'suppressed' ? decision.reason : null,
        idempotencyKey,
        event.id,
        contactDueAt,
        now,
      ],
    );
    if (inserted.length === 0) return 'duplicate';
    careActions().inc({ playbook: playbook.id, status: decision.status });
    if (decision.status !== 'triggered') return decision.status;
    await this.outbox.publish(
      manager,
      CareActionTriggered,
      {
        customerId,
        careActionId: id,
        playbook: playbook.id,
        action: playbook.action,
        purpose: playbook.purpose,
        channel: playbook.channel as never,
        idempotencyKey,
        contactDueAt: contactDueAt?.toISOString(),
        triggeredByEventId: event.id,
        triggeredAt: now.toISOString(),
      },
      causedBy(customerId, origin.cause),
    );
    return 'triggered';
  }
}
