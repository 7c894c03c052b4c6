import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CareActionTriggered, type Locale, type Purpose } from '@crm/contracts';
import { causedBy, OutboxPublisher, type Cause } from '@crm/messaging';
import { queryOne, queryRows, ServiceClock } from '@crm/persistence';
import { counter } from '@crm/observability';
import { CampaignsConfig } from '../campaigns.config';
import { CARE_ACTIONS_CHANNEL } from './care-dispatcher';
import { decideCareAction, type QuietHours } from './care-policy';
import { ContactDeadlinesService } from '../cadences/contact-deadlines.service';
import { parseTimeOfDay } from '@crm/service-kit';

/** A touch to decide: a journey's action step (the seeded playbooks are journeys too). */
export interface TouchSpec {
  /** The journey's playbook name, or `journey:<id>` (at most 64 characters). */
  source: string;
  action: string;
  purpose: Purpose;
  /** A channel, or `auto`: the channel of the customer's segment (segment_channels, the multi-channel matrix). */
  channel: string;
  contactDueHours: number | null;
  category: string | null;
  /** The template written channels use; default the action. */
  template?: string;
  variant?: string;
  /** Non-personal values the template's links use (a survey id). */
  variables?: Record<string, string>;
}

const careActions = () =>
  counter('crm_care_actions_total', 'Care actions decided by playbook and outcome', ['playbook', 'status']);

@Injectable()
export class CareActionsService {
  private readonly quietHours: QuietHours;

  constructor(
    private readonly outbox: OutboxPublisher,
    private readonly config: CampaignsConfig,
    private readonly clock: ServiceClock,
    private readonly deadlines: ContactDeadlinesService,
  ) {
    const [from, to] = config.CONTACT_QUIET_HOURS.split('-').map((t) => parseTimeOfDay(t)!);
    this.quietHours = { from, to };
  }

  /**
   * One touch through the one contact budget (care-policy.ts): consent per channel and purpose, the
   * customer's frequency cap across all channels (per segment, halved for fewer contacts), service moments,
   * excluded categories, quiet hours in the customer's time zone. Recorded as triggered (then delivered by the
   * dispatcher, after quiet hours if need be, and announced) or suppressed with its reason. Answers the
   * decision, or `duplicate` when the idempotency key was decided before.
   */
  async decideTouch(
    manager: EntityManager,
    touch: TouchSpec,
    origin: { idempotencyKey: string; triggerEventId: string; cause: Cause },
    customerId: string,
    now?: Date,
  ): Promise<'triggered' | 'suppressed' | 'duplicate'> {
    now ??= await this.clock.now(manager);
    // One budget per customer: touches decided for the same customer at once are counted one after another.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`contact:${customerId}`]);
    const customer = await queryOne<{
      time_zone: string | null;
      locale: string | null;
      reduced: boolean;
      cap: number | null;
      window_days: number | null;
      channel: string | null;
    }>(
      manager,
      `SELECT p.time_zone, p.locale, coalesce(p.contact_frequency = 'reduced', false) AS reduced,
              cap.touches AS cap, cap.window_days, ch.channel
         FROM (SELECT $1::uuid AS customer_id) c
         LEFT JOIN contact_preferences p ON p.customer_id = c.customer_id
         LEFT JOIN customer_attributes a ON a.customer_id = c.customer_id
         LEFT JOIN LATERAL (SELECT touches, window_days FROM contact_caps
                             WHERE key IN ('*', 'tier:' || a.value_tier, 'value-loyalty:' || a.value_loyalty_segment)
                             ORDER BY precedence LIMIT 1) cap ON true
         LEFT JOIN LATERAL (SELECT channel FROM segment_channels
                             WHERE key IN ('*', 'tier:' || a.value_tier, 'value-loyalty:' || a.value_loyalty_segment)
                             ORDER BY precedence LIMIT 1) ch ON true`,
      [customerId],
    );
    const channel = touch.channel === 'auto' ? (customer?.channel ?? 'email') : touch.channel;
    const playbook = {
      id: touch.source,
      action: touch.action,
      purpose: touch.purpose,
      channel,
      contact_due_hours: touch.contactDueHours,
      category: touch.category,
    };
    const idempotencyKey = origin.idempotencyKey;
    const event = { id: origin.triggerEventId };
    const consent = await queryOne<{ marketing: boolean | null; service: boolean | null }>(
      manager,
      `SELECT bool_or(granted) FILTER (WHERE purpose = 'marketing') AS marketing,
              bool_or(granted) FILTER (WHERE purpose = 'service') AS service
         FROM consents WHERE customer_id = $1 AND channel = $2`,
      [customerId, playbook.channel],
    );
    const windowDays = customer?.window_days ?? 7;
    const recent = await queryOne<{ touches: number }>(
      manager,
      `SELECT count(*)::int AS touches FROM care_actions WHERE customer_id = $1
          AND status IN ('triggered', 'delivered') AND created_at > $2::timestamptz - make_interval(days => $3)`,
      [customerId, now, windowDays],
    );
    const moments = await queryOne<{ open: number }>(
      manager,
      'SELECT count(*)::int AS open FROM service_moments WHERE customer_id = $1 AND until > $2',
      [customerId, now],
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
      marketingConsent: consent?.marketing ?? undefined,
      serviceConsent: consent?.service ?? undefined,
      recentTouches: recent?.touches ?? 0,
      frequencyCap: customer?.cap ?? this.config.CARE_FREQUENCY_CAP,
      reducedContact: customer?.reduced,
      inServiceMoment: (moments?.open ?? 0) > 0,
      now,
      timeZone: customer?.time_zone ?? this.config.CONTACT_DEFAULT_TIME_ZONE,
      quietHours: this.quietHours,
    });
    const sendAfter = decision.status === 'triggered' ? decision.sendAfter : undefined;
    const template = touch.template ?? touch.action;
    const id = randomUUID();
    const contactDueAt = playbook.contact_due_hours
      ? new Date(now.getTime() + playbook.contact_due_hours * 3600_000)
      : null;
    // A triggered touch announces itself in the same statement: the dispatcher wakes at commit.
    const inserted = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO care_actions (id, customer_id, playbook_id, action, purpose, channel, status, reason, idempotency_key,
         trigger_event_id, contact_due_at, created_at, next_attempt_at, template, variant, locale, variables)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17) ON CONFLICT (idempotency_key) DO NOTHING
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
        sendAfter ?? now,
        template,
        touch.variant ?? null,
        customer?.locale ?? null,
        JSON.stringify(touch.variables ?? {}),
      ],
    );
    if (inserted.length === 0) return 'duplicate';
    careActions().inc({ playbook: playbook.id, status: decision.status });
    if (decision.status !== 'triggered') return decision.status;
    if (contactDueAt)
      await this.deadlines.onCareAction(
        manager,
        { careActionId: id, customerId, action: playbook.action, contactDueAt },
        now,
      );
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
        template,
        variant: touch.variant,
        locale: (customer?.locale as Locale | null) ?? undefined,
        sendAfter: sendAfter?.toISOString(),
      },
      causedBy(customerId, origin.cause),
    );
    return 'triggered';
  }
}
