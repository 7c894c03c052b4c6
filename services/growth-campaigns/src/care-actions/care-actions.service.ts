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
    // Everything the budget reads, in one statement (after the lock, so it sees every earlier touch).
    const facts = await queryOne<{
      time_zone: string | null;
      locale: string | null;
      reduced: boolean;
      cap: number | null;
      channel: string;
      marketing: boolean | null;
      service: boolean | null;
      touches: number;
      open_moments: number;
      excluded: boolean;
    }>(
      manager,
      `SELECT p.time_zone, p.locale, coalesce(p.contact_frequency = 'reduced', false) AS reduced,
              cap.touches AS cap, chosen.channel, consent.marketing, consent.service, recent.touches,
              moments.open AS open_moments, excluded.hit AS excluded
         FROM (SELECT $1::uuid AS customer_id) c
         LEFT JOIN contact_preferences p ON p.customer_id = c.customer_id
         LEFT JOIN customer_attributes a ON a.customer_id = c.customer_id
         LEFT JOIN LATERAL (SELECT touches, window_days FROM contact_caps
                             WHERE key IN ('*', 'tier:' || a.value_tier, 'value-loyalty:' || a.value_loyalty_segment)
                             ORDER BY precedence LIMIT 1) cap ON true
         LEFT JOIN LATERAL (SELECT channel FROM segment_channels
                             WHERE key IN ('*', 'tier:' || a.value_tier, 'value-loyalty:' || a.value_loyalty_segment)
                             ORDER BY precedence LIMIT 1) ch ON true
         CROSS JOIN LATERAL (SELECT CASE WHEN $2::text = 'auto' THEN coalesce(ch.channel, 'email') ELSE $2::text END
                               AS channel) chosen
         CROSS JOIN LATERAL (SELECT bool_or(granted) FILTER (WHERE purpose = 'marketing') AS marketing,
                                    bool_or(granted) FILTER (WHERE purpose = 'service') AS service
                               FROM consents WHERE customer_id = c.customer_id AND channel = chosen.channel) consent
         CROSS JOIN LATERAL (SELECT count(*)::int AS touches FROM care_actions
                              WHERE customer_id = c.customer_id AND status IN ('triggered', 'delivered')
                                AND created_at > $3::timestamptz - make_interval(days => coalesce(cap.window_days, 7))) recent
         CROSS JOIN LATERAL (SELECT count(*)::int AS open FROM service_moments
                              WHERE customer_id = c.customer_id AND until > $3::timestamptz) moments
         CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM category_exclusions
                              WHERE customer_id = c.customer_id AND category = $4::text) AS hit) excluded`,
      [customerId, touch.channel, now, touch.category || null],
    );
    const customer = facts!;
    const playbook = {
      id: touch.source,
      action: touch.action,
      purpose: touch.purpose,
      channel: customer.channel,
      contact_due_hours: touch.contactDueHours,
      category: touch.category,
    };
    const idempotencyKey = origin.idempotencyKey;
    const event = { id: origin.triggerEventId };
    const decision = decideCareAction({
      categoryExcluded: customer.excluded,
      purpose: playbook.purpose,
      marketingConsent: customer.marketing ?? undefined,
      serviceConsent: customer.service ?? undefined,
      recentTouches: customer.touches,
      frequencyCap: customer.cap ?? this.config.CARE_FREQUENCY_CAP,
      reducedContact: customer.reduced,
      inServiceMoment: customer.open_moments > 0,
      now,
      timeZone: customer.time_zone ?? this.config.CONTACT_DEFAULT_TIME_ZONE,
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
        customer.locale ?? null,
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
        locale: (customer.locale as Locale | null) ?? undefined,
        sendAfter: sendAfter?.toISOString(),
      },
      causedBy(customerId, origin.cause),
    );
    return 'triggered';
  }
}
