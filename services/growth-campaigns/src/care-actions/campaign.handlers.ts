import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  CustomerUpdated,
  type CustomerUpdatedV1,
  InteractionLogged,
  type InteractionLoggedV1,
  CustomerState,
  type CustomerStateV1,
  CustomerErased,
  type CustomerErasedV1,
  ConsentChanged,
  CustomerRegistered,
  CustomerRescored,
  LifecycleStageChanged,
  PurchaseRecorded,
  SegmentChanged,
  TicketOpened,
  CategoryExclusionsChanged,
  type CategoryExclusionsChangedV1,
  FeedbackScored,
  MembershipChanged,
  PurchaseRefunded,
  type PurchaseRefundedV1,
  NeedOverdue,
  type NeedOverdueV1,
  type StaffNotificationRequestedV1,
  StaffNotificationRequested,
  ChurnRiskChanged,
  type ChurnRiskChangedV1,
  type MembershipChangedV1,
  type FeedbackScoredV1,
  SurveyRequested,
  type SurveyRequestedV1,
  DateTriggerDue,
  type DateTriggerDueV1,
  PaymentRecorded,
  type PaymentRecordedV1,
  VALUE_TIERS,
  type ConsentChangedV1,
  type CustomerRegisteredV1,
  type CustomerRescoredV1,
  type EventEnvelope,
  type LifecycleStageChangedV1,
  type PurchaseRecordedV1,
  type SegmentChangedV1,
  type TicketOpenedV1,
} from '@crm/contracts';
import type { EntityManager } from 'typeorm';
import { EventBatchPattern, wavesByKeys, type EventBatchContext, type EventContext } from '@crm/messaging';
import { execute } from '@crm/persistence';
import { CampaignsConfig } from '../campaigns.config';
import { StaffNotifications } from './staff-notifications';
import { JourneysService } from '../journeys/journeys.service';
import { CadencesService } from '../cadences/cadences.service';
import { ContactDeadlinesService } from '../cadences/contact-deadlines.service';
import { DateTriggersService } from '../dates/date-triggers.service';

/** Rank of a tier: lower index is higher value. */
const tierRank = (tier: string) =>
  VALUE_TIERS.length - VALUE_TIERS.indexOf(tier as (typeof VALUE_TIERS)[number]);

/**
 * Hands every event to the journeys, and derives the platform's moments (`JOURNEY_TRIGGERS`: a first purchase,
 * a tier upgrade, a stage or segment entered …) that the seeded care journeys (the playbooks) enter on.
 */
@Controller()
export class CampaignHandlers {
  constructor(
    private readonly journeys: JourneysService,
    private readonly cadences: CadencesService,
    private readonly deadlines: ContactDeadlinesService,
    private readonly dates: DateTriggersService,
    private readonly config: CampaignsConfig,
    private readonly staff: StaffNotifications,
  ) {}

  /** An escalation step routed to a person: delivered to them as a service message. */
  @EventPattern(StaffNotificationRequested.type)
  async onStaffNotification(
    @Payload() event: EventEnvelope<StaffNotificationRequestedV1>,
    @Ctx() context: EventContext,
  ) {
    await this.staff.record(context.manager, event.data);
  }

  /**
   * The compacted state topic: the attributes journeys branch on, and the customer's cadence. A run of a
   * partition's snapshots at a time, in waves in which each customer appears once: a statement each for the
   * wave's attributes and cadences, as one by one.
   */
  @EventBatchPattern(CustomerState.type)
  async onCustomerStates(
    @Payload() events: EventEnvelope<CustomerStateV1>[],
    @Ctx() context: EventBatchContext,
  ) {
    for (const wave of wavesByKeys(events, (e) => [e.data.customerId.toLowerCase()])) {
      await this.journeys.onStates(context.manager, wave);
      await this.cadences.onStates(
        context.manager,
        wave.map((e) => e.data),
      );
    }
  }

  /** The account owner, who gets the customer's tasks. */
  @EventPattern(CustomerUpdated.type)
  async onCustomerUpdated(@Payload() event: EventEnvelope<CustomerUpdatedV1>, @Ctx() context: EventContext) {
    await this.journeys.onEvent(context.manager, event);
    await this.cadences.setOwner(context.manager, event.data.customerId, event.data.owner);
    await this.savePreferences(context.manager, [event.data]);
  }

  /** Any logged interaction resets the customer's maintenance cadence. */
  @EventPattern(InteractionLogged.type)
  async onInteractionLogged(
    @Payload() event: EventEnvelope<InteractionLoggedV1>,
    @Ctx() context: EventContext,
  ) {
    await this.journeys.onEvent(context.manager, event);
    await this.cadences.onInteraction(context.manager, event);
    await this.deadlines.onInteraction(context.manager, event);
  }

  /** A need past its due date unsolved: a task in the need owner's queue, once per need and due date. */
  @EventPattern(NeedOverdue.type)
  async onNeedOverdue(@Payload() event: EventEnvelope<NeedOverdueV1>, @Ctx() context: EventContext) {
    const { customerId, needId, type, priority, owner, dueAt, overdueAt } = event.data;
    await this.cadences.createTask(context.manager, {
      customerId,
      owner,
      kind: 'need-overdue',
      detail: `${priority} ${type} need ${needId} overdue since ${dueAt.slice(0, 10)}`,
      dueAt: new Date(dueAt),
      now: new Date(overdueAt),
    });
  }

  /**
   * Registrations, a run of a partition's records at a time (an import brings thousands), in waves in which
   * each customer appears once: consents, owners, preferences and dates with a statement each for the wave,
   * then each registration's journeys, as one by one.
   */
  @EventBatchPattern(CustomerRegistered.type)
  async onRegistered(
    @Payload() events: EventEnvelope<CustomerRegisteredV1>[],
    @Ctx() context: EventBatchContext,
  ) {
    for (const wave of wavesByKeys(events, (e) => [e.data.customerId.toLowerCase()])) {
      const customers = wave.map((e) => e.data);
      await this.saveConsents(
        context.manager,
        customers.flatMap((c) => c.consents.map((consent) => ({ customerId: c.customerId, ...consent }))),
      );
      await this.cadences.setOwners(context.manager, customers);
      await this.savePreferences(context.manager, customers);
      await this.dates.onRegistered(context.manager, customers);
      for (const event of wave) await this.journeys.onEvent(context.manager, event);
    }
  }

  /** A payment: in full, the order's reminder is dropped and the customer thanked. */
  @EventPattern(PaymentRecorded.type)
  async onPaymentRecorded(@Payload() event: EventEnvelope<PaymentRecordedV1>, @Ctx() context: EventContext) {
    await this.journeys.onEvent(context.manager, event);
    if (!event.data.paidInFull) return;
    await this.dates.onPaidInFull(context.manager, event.data.customerId, event.data.orderId);
    await this.journeys.onTrigger(context.manager, 'payment-recorded', event, event.data.customerId);
  }

  /** A birthday, an anniversary, days since registration or without a purchase came due. */
  @EventPattern(DateTriggerDue.type)
  async onDateTriggerDue(@Payload() event: EventEnvelope<DateTriggerDueV1>, @Ctx() context: EventContext) {
    await this.journeys.onEvent(context.manager, event);
    await this.journeys.onTrigger(
      context.manager,
      `date:${event.data.trigger}`,
      event,
      event.data.customerId,
    );
  }

  /** A satisfaction survey from feedback-sla goes out through the one contact budget (a service message). */
  @EventPattern(SurveyRequested.type)
  async onSurveyRequested(@Payload() event: EventEnvelope<SurveyRequestedV1>, @Ctx() context: EventContext) {
    await this.journeys.onEvent(context.manager, event);
    await this.journeys.onTrigger(context.manager, 'survey-requested', event, event.data.customerId, {
      surveyId: event.data.surveyId,
    });
  }

  /**
   * Time zone, language and contact frequency (each customer at most once; what is not given is kept):
   * quiet hours, templates and the cap follow them. A statement for those that give a frequency, one for the
   * rest.
   */
  private async savePreferences(
    manager: EntityManager,
    customers: Array<{ customerId: string; timeZone?: string; locale?: string; contactFrequency?: string }>,
  ) {
    const given = customers.filter((c) => c.timeZone || c.locale || c.contactFrequency);
    for (const withFrequency of [true, false]) {
      const rows = given.filter((c) => !!c.contactFrequency === withFrequency);
      if (rows.length === 0) continue;
      await execute(
        manager,
        `INSERT INTO contact_preferences (customer_id, time_zone, locale, contact_frequency)
         SELECT id, tz, loc, coalesce(freq, 'normal')
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS r(id, tz, loc, freq) ORDER BY id
         ON CONFLICT (customer_id) DO UPDATE SET time_zone = coalesce(EXCLUDED.time_zone, contact_preferences.time_zone),
           locale = coalesce(EXCLUDED.locale, contact_preferences.locale),
           contact_frequency = ${withFrequency ? 'EXCLUDED' : 'contact_preferences'}.contact_frequency`,
        [
          rows.map((c) => c.customerId),
          rows.map((c) => c.timeZone ?? null),
          rows.map((c) => c.locale ?? null),
          rows.map((c) => c.contactFrequency ?? null),
        ],
      );
    }
  }

  @EventPattern(ConsentChanged.type)
  async onConsentChanged(@Payload() event: EventEnvelope<ConsentChangedV1>, @Ctx() context: EventContext) {
    await this.saveConsents(context.manager, [event.data]);
    await this.journeys.onEvent(context.manager, event);
  }

  /**
   * Purchases, a run of a partition's records at a time, in waves in which each customer appears once: each
   * purchase's journeys, the wave's dates with a statement each, then each first purchase's trigger, as one
   * by one (journeys and triggers read no dates).
   */
  @EventBatchPattern(PurchaseRecorded.type)
  async onPurchases(
    @Payload() events: EventEnvelope<PurchaseRecordedV1>[],
    @Ctx() context: EventBatchContext,
  ) {
    for (const wave of wavesByKeys(events, (e) => [e.data.customerId.toLowerCase()])) {
      for (const event of wave) await this.journeys.onEvent(context.manager, event);
      await this.dates.onPurchases(
        context.manager,
        wave.map((e) => e.data),
      );
      for (const event of wave)
        if (event.data.firstPurchase)
          await this.journeys.onTrigger(context.manager, 'first-purchase', event, event.data.customerId);
    }
  }

  @EventPattern(CustomerRescored.type)
  async onRescored(@Payload() event: EventEnvelope<CustomerRescoredV1>, @Ctx() context: EventContext) {
    await this.journeys.onEvent(context.manager, event);
    const { current, previous, customerId } = event.data;
    if (previous?.valueTier === current.valueTier) return;
    if (previous && tierRank(current.valueTier) > tierRank(previous.valueTier)) {
      await this.journeys.onTrigger(context.manager, 'tier-upgraded', event, customerId);
    }
    await this.journeys.onTrigger(context.manager, `tier-entered:${current.valueTier}`, event, customerId);
  }

  @EventPattern(LifecycleStageChanged.type)
  async onStageChanged(
    @Payload() event: EventEnvelope<LifecycleStageChangedV1>,
    @Ctx() context: EventContext,
  ) {
    await this.journeys.onEvent(context.manager, event);
    await this.journeys.onTrigger(
      context.manager,
      `stage-entered:${event.data.stage}`,
      event,
      event.data.customerId,
    );
  }

  /** A new customer starts in churn-warning; only a move into it from another segment is a warning. */
  @EventPattern(SegmentChanged.type)
  async onSegmentChanged(@Payload() event: EventEnvelope<SegmentChangedV1>, @Ctx() context: EventContext) {
    await this.journeys.onEvent(context.manager, event);
    if (event.data.change !== 'entered') return;
    // A dynamic or static segment of tagging's: playbooks can target it as custom-segment-entered:<id>.
    if (event.data.segmentSet === 'custom') {
      await this.journeys.onTrigger(
        context.manager,
        `custom-segment-entered:${event.data.segment}`,
        event,
        event.data.customerId,
      );
      return;
    }
    // The value-loyalty matrix: a move between segments, not the first classification.
    if (!event.data.counterpart) return;
    await this.journeys.onTrigger(
      context.manager,
      `segment-entered:${event.data.segment}`,
      event,
      event.data.customerId,
    );
  }

  /**
   * A refund is a service moment: no marketing to the customer for CARE_SERVICE_MOMENT_HOURS after it (the
   * moment is keyed by the refund event, so a repeat changes nothing).
   */
  @EventPattern(PurchaseRefunded.type)
  async onPurchaseRefunded(
    @Payload() event: EventEnvelope<PurchaseRefundedV1>,
    @Ctx() context: EventContext,
  ) {
    await this.journeys.onEvent(context.manager, event);
    const until = new Date(
      new Date(event.data.refundedAt).getTime() + this.config.CARE_SERVICE_MOMENT_HOURS * 3600_000,
    );
    await execute(
      context.manager,
      'INSERT INTO service_moments (customer_id, ticket_id, until) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [event.data.customerId, event.id, until],
    );
  }

  @EventPattern(TicketOpened.type)
  async onTicketOpened(@Payload() event: EventEnvelope<TicketOpenedV1>, @Ctx() context: EventContext) {
    await this.journeys.onEvent(context.manager, event);
    if (event.data.ticketType !== 'complaint') return;
    const until = new Date(
      new Date(event.data.openedAt).getTime() + this.config.CARE_SERVICE_MOMENT_HOURS * 3600_000,
    );
    await execute(
      context.manager,
      'INSERT INTO service_moments (customer_id, ticket_id, until) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [event.data.customerId, event.data.ticketId, until],
    );
  }

  /** A membership level up: the level-welcome journey, with the level's privileges for its template. */
  @EventPattern(MembershipChanged.type)
  async onMembershipChanged(
    @Payload() event: EventEnvelope<MembershipChangedV1>,
    @Ctx() context: EventContext,
  ) {
    await this.journeys.onEvent(context.manager, event);
    const { customerId, direction, level, previousLevel, privileges } = event.data;
    if (direction !== 'up') return;
    await this.journeys.onTrigger(context.manager, 'membership-upgraded', event, customerId, {
      level,
      previousLevel,
      privileges: privileges.join('; '),
    });
  }

  /** Churn risk crossed its alert threshold: journeys entered on `churn-risk-high` (a retention call, say). */
  @EventPattern(ChurnRiskChanged.type)
  async onChurnRiskChanged(
    @Payload() event: EventEnvelope<ChurnRiskChangedV1>,
    @Ctx() context: EventContext,
  ) {
    await this.journeys.onEvent(context.manager, event);
    const { customerId, level, churnRisk, interactionDecline } = event.data;
    if (level !== 'high') return;
    await this.journeys.onTrigger(context.manager, 'churn-risk-high', event, customerId, {
      churnRisk: String(churnRisk),
      interactionDecline: String(interactionDecline),
    });
  }

  /** A low score: a service moment (no marketing) and the service-recovery playbook. */
  @EventPattern(FeedbackScored.type)
  async onFeedbackScored(@Payload() event: EventEnvelope<FeedbackScoredV1>, @Ctx() context: EventContext) {
    await this.journeys.onEvent(context.manager, event);
    const { customerId, followUpTicketId, answeredAt } = event.data;
    if (!followUpTicketId) return;
    const until = new Date(new Date(answeredAt).getTime() + this.config.CARE_SERVICE_MOMENT_HOURS * 3600_000);
    await execute(
      context.manager,
      'INSERT INTO service_moments (customer_id, ticket_id, until) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [customerId, followUpTicketId, until],
    );
    await this.journeys.onTrigger(context.manager, 'feedback:low-score', event, customerId);
  }

  /** tagging's negative preferences: the whole list replaces the one kept here. */
  @EventPattern(CategoryExclusionsChanged.type)
  async onExclusionsChanged(
    @Payload() event: EventEnvelope<CategoryExclusionsChangedV1>,
    @Ctx() context: EventContext,
  ) {
    await this.journeys.onEvent(context.manager, event);
    const { customerId, excludedCategories } = event.data;
    await execute(context.manager, 'DELETE FROM category_exclusions WHERE customer_id = $1', [customerId]);
    await execute(
      context.manager,
      'INSERT INTO category_exclusions (customer_id, category) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
      [customerId, excludedCategories],
    );
  }

  /**
   * Consents, each (customer, channel, purpose) taking the latest change as one by one would: of those with
   * the latest time, the last given; an older change than the one kept changes nothing.
   */
  private async saveConsents(
    manager: EntityManager,
    consents: Array<{
      customerId: string;
      channel: string;
      purpose: string;
      granted: boolean;
      changedAt: string;
    }>,
  ) {
    if (consents.length === 0) return;
    await execute(
      manager,
      `INSERT INTO consents (customer_id, channel, purpose, granted, changed_at)
       SELECT DISTINCT ON (id, channel, purpose) id, channel, purpose, granted, changed_at
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::timestamptz[])
           WITH ORDINALITY AS r(id, channel, purpose, granted, changed_at, n)
        ORDER BY id, channel, purpose, changed_at DESC, n DESC
       ON CONFLICT (customer_id, channel, purpose) DO UPDATE SET granted = EXCLUDED.granted, changed_at = EXCLUDED.changed_at
       WHERE consents.changed_at <= EXCLUDED.changed_at`,
      [
        consents.map((c) => c.customerId),
        consents.map((c) => c.channel),
        consents.map((c) => c.purpose),
        consents.map((c) => c.granted),
        consents.map((c) => c.changedAt),
      ],
    );
  }

  /** Erasure: touches not yet delivered are cancelled; nothing reaches the customer afterwards. */
  @EventPattern(CustomerErased.type)
  async onErased(@Payload() event: EventEnvelope<CustomerErasedV1>, @Ctx() context: EventContext) {
    await this.journeys.onEvent(context.manager, event);
    await execute(
      context.manager,
      `UPDATE care_actions SET status = 'cancelled', reason = 'customer erased' WHERE customer_id = $1 AND status = 'triggered'`,
      [event.data.customerId],
    );
    await execute(context.manager, 'DELETE FROM contact_preferences WHERE customer_id = $1', [
      event.data.customerId,
    ]);
    await this.dates.forget(context.manager, event.data.customerId);
  }
}
