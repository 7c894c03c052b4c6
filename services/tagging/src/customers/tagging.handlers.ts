import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  ConsentChanged,
  type ConsentChangedV1,
  CustomerErased,
  type CustomerErasedV1,
  TicketOpened,
  TicketResolved,
  type TicketResolvedV1,
  ReferralAttributed,
  type ReferralAttributedV1,
  ReferralQualified,
  type ReferralQualifiedV1,
  type TicketOpenedV1,
  CustomerRegistered,
  FeedbackScored,
  InteractionLogged,
  NeedChanged,
  NeedRecorded,
  type NeedV1,
  type InteractionLoggedV1,
  type FeedbackScoredV1,
  CustomerUpdated,
  PurchaseRecorded,
  PurchaseRefunded,
  type PurchaseRefundedV1,
  type CustomerRegisteredV1,
  type CustomerUpdatedV1,
  type EventEnvelope,
  type PurchaseRecordedV1,
} from '@crm/contracts';
import {
  causeOf,
  EventBatchPattern,
  wavesByKeys,
  type Cause,
  type EventBatchContext,
  type EventContext,
} from '@crm/messaging';
import { execute, queryRows } from '@crm/persistence';
import { ExclusionsService } from '../preferences/exclusions.service';
import { RescoringService } from './rescoring.service';

/** Keeps tagging's read model current and re-evaluates only the customer an event concerns. */
@Controller()
export class TaggingHandlers {
  constructor(
    private readonly rescoring: RescoringService,
    private readonly exclusions: ExclusionsService,
  ) {}

  /**
   * Registrations, a run of a partition's records at a time (an import brings thousands in a row): each wave
   * of the run (every customer at most once) is stored with one statement and re-scored together, each
   * customer with its own registration as the cause, as one by one.
   */
  @EventBatchPattern(CustomerRegistered.type)
  async onCustomersRegistered(
    @Payload() events: EventEnvelope<CustomerRegisteredV1>[],
    @Ctx() context: EventBatchContext,
  ): Promise<void> {
    for (const wave of wavesByKeys(events, (e) => [e.data.customerId.toLowerCase()])) {
      const data = wave.map((e) => e.data);
      // In id order (as Postgres sorts uuids), so that two runs sharing customers wait rather than deadlock.
      await execute(
        context.manager,
        `INSERT INTO customers (customer_id, registered, relationship_started_at, industry, consents, acquisition_channel, acquisition_cost)
         SELECT id, true, rs, ind, cs::jsonb, ch, cost
           FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::numeric[])
             AS r(id, rs, ind, cs, ch, cost)
          ORDER BY id
         ON CONFLICT (customer_id) DO UPDATE SET registered = true, relationship_started_at = EXCLUDED.relationship_started_at,
           industry = EXCLUDED.industry, consents = EXCLUDED.consents, acquisition_channel = EXCLUDED.acquisition_channel,
           acquisition_cost = EXCLUDED.acquisition_cost, updated_at = now()`,
        [
          data.map((d) => d.customerId),
          data.map((d) => d.relationshipStartedAt),
          data.map((d) => d.industry ?? null),
          data.map((d) =>
            JSON.stringify(
              d.consents.map(({ channel, purpose, granted }) => ({ channel, purpose, granted })),
            ),
          ),
          data.map((d) => d.acquisitionChannel ?? null),
          data.map((d) => d.acquisitionCost ?? null),
        ],
      );
      await this.rescoring.rescoreEach(context.manager, causesOf(wave));
    }
  }

  @EventPattern(CustomerUpdated.type)
  async onCustomerUpdated(
    @Payload() event: EventEnvelope<CustomerUpdatedV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    if (event.data.industry === undefined) return;
    await execute(
      context.manager,
      'UPDATE customers SET industry = $2, updated_at = now() WHERE customer_id = $1',
      [event.data.customerId, event.data.industry],
    );
    await this.rescoring.rescore(context.manager, event.data.customerId, context.cause);
  }

  /** A complaint about a category excludes it from offers for good (until an account manager lifts it). */
  @EventPattern(TicketOpened.type)
  async onTicketOpened(
    @Payload() event: EventEnvelope<TicketOpenedV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    const { customerId, ticketId, ticketType, category, openedAt } = event.data;
    // Every ticket is a fact for the service KPIs (first response, resolution rate).
    await execute(
      context.manager,
      `INSERT INTO ticket_facts (ticket_id, customer_id, ticket_type, opened_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (ticket_id) DO NOTHING`,
      [ticketId, customerId, ticketType, openedAt],
    );
    if (ticketType !== 'complaint' || !category) return;
    await this.exclusions.change(
      context.manager,
      customerId,
      (current) => [...current, category],
      'complaint',
      context.cause,
    );
  }

  /** A resolved ticket: its first response, resolution and SLA outcome, for the service KPIs. */
  @EventPattern(TicketResolved.type)
  async onTicketResolved(
    @Payload() event: EventEnvelope<TicketResolvedV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    const t = event.data;
    await execute(
      context.manager,
      `INSERT INTO ticket_facts (ticket_id, customer_id, ticket_type, opened_at, first_responded_at, resolved_at,
                                 first_response_breached, resolution_breached)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (ticket_id) DO UPDATE SET first_responded_at = EXCLUDED.first_responded_at,
         resolved_at = EXCLUDED.resolved_at, first_response_breached = EXCLUDED.first_response_breached,
         resolution_breached = EXCLUDED.resolution_breached`,
      [
        t.ticketId,
        t.customerId,
        t.ticketType,
        t.openedAt,
        t.firstRespondedAt,
        t.resolvedAt,
        t.firstResponseBreached,
        t.resolutionBreached,
      ],
    );
  }

  /** Referrals, for the referral KPIs: attributed (a referee signed up with a code), then qualified. */
  @EventPattern(ReferralAttributed.type)
  async onReferralAttributed(
    @Payload() event: EventEnvelope<ReferralAttributedV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    const r = event.data;
    await execute(
      context.manager,
      `INSERT INTO referral_facts (referral_id, referee_id, referrer_id, attributed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (referral_id) DO NOTHING`,
      [r.referralId, r.customerId, r.referrerCustomerId, r.attributedAt],
    );
  }

  @EventPattern(ReferralQualified.type)
  async onReferralQualified(
    @Payload() event: EventEnvelope<ReferralQualifiedV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    const r = event.data;
    // The qualification may overtake the attribution (another partition): the row is made then.
    await execute(
      context.manager,
      `INSERT INTO referral_facts (referral_id, referee_id, referrer_id, attributed_at, qualified_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (referral_id) DO UPDATE SET qualified_at = EXCLUDED.qualified_at`,
      [r.referralId, r.customerId, r.referrerCustomerId, r.qualifiedAt],
    );
  }

  /** Survey answers are facts for segments and for "why"; they do not move scores. */
  @EventPattern(FeedbackScored.type)
  async onFeedbackScored(
    @Payload() event: EventEnvelope<FeedbackScoredV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    const { surveyId, customerId, kind, score, sentiment, answeredAt } = event.data;
    await execute(
      context.manager,
      `INSERT INTO satisfaction_facts (survey_id, customer_id, kind, score, sentiment, answered_at, event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (survey_id) DO NOTHING`,
      [surveyId, customerId, kind, score, sentiment, answeredAt, event.id],
    );
    // Scores stay as they are; segments on satisfaction (nps(30d) <= 6) follow.
    await this.rescoring.rescore(context.manager, customerId, context.cause);
  }

  /**
   * The customer's own interactions (not the platform's automated touches) are facts: falling interaction
   * frequency counts toward churn risk, which is re-evaluated now.
   */
  @EventPattern(InteractionLogged.type)
  async onInteractionLogged(
    @Payload() event: EventEnvelope<InteractionLoggedV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    const { customerId, interactionId, occurredAt, channel, direction, automated } = event.data;
    if (automated) return;
    const inserted = await queryRows<{ interaction_id: string }>(
      context.manager,
      `INSERT INTO interaction_facts (interaction_id, customer_id, occurred_at, channel, direction)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (interaction_id) DO NOTHING RETURNING interaction_id`,
      [interactionId, customerId, occurredAt, channel, direction],
    );
    if (inserted.length > 0) await this.rescoring.rescore(context.manager, customerId, context.cause);
  }

  /** The needs register: an unsolved need tags the customer `need:<type>`; a solved or cancelled one no more. */
  @EventPattern(NeedRecorded.type)
  async onNeedRecorded(@Payload() event: EventEnvelope<NeedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.need(event.data, context);
  }

  @EventPattern(NeedChanged.type)
  async onNeedChanged(@Payload() event: EventEnvelope<NeedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.need(event.data, context);
  }

  private async need(need: NeedV1, context: EventContext): Promise<void> {
    // Newer news wins: a change that overtook the record (or a replay) never rolls the status back.
    await execute(
      context.manager,
      `INSERT INTO customer_needs (need_id, customer_id, type, status, changed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (need_id) DO UPDATE SET type = EXCLUDED.type, status = EXCLUDED.status, changed_at = EXCLUDED.changed_at
        WHERE customer_needs.changed_at <= EXCLUDED.changed_at`,
      [need.needId, need.customerId, need.type, need.status, need.changedAt],
    );
    await this.rescoring.rescore(context.manager, need.customerId, context.cause);
  }

  /**
   * A refund: the order counts net of it (a fully refunded one not at all), and the customer is re-scored as
   * after a purchase. The order's refunded total is carried by the event, so a repeat changes nothing.
   */
  @EventPattern(PurchaseRefunded.type)
  async onPurchaseRefunded(
    @Payload() event: EventEnvelope<PurchaseRefundedV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    const { customerId, orderId, refundedOnOrder } = event.data;
    await execute(
      context.manager,
      'UPDATE purchase_facts SET refunded = greatest(refunded, $2) WHERE order_id = $1 AND customer_id = $3',
      [orderId, refundedOnOrder, customerId],
    );
    await this.rescoring.rescore(context.manager, customerId, context.cause);
  }

  /**
   * Purchases, a run of a partition's records at a time. A purchase may arrive before the registration
   * (other topic): the customer row is created empty then. Each wave of the run (every customer and every
   * order id at most once) is stored with two statements (the customer rows; the facts, with the category
   * spend of the orders new to tagging) and re-scored together, each customer with its own purchase as the
   * cause: the same effects as one by one, since a customer's next purchase is stored only after the
   * re-scoring of the one before.
   */
  @EventBatchPattern(PurchaseRecorded.type)
  async onPurchasesRecorded(
    @Payload() events: EventEnvelope<PurchaseRecordedV1>[],
    @Ctx() context: EventBatchContext,
  ): Promise<void> {
    // An order id is one row of facts: two events naming it (a repeat, or bad data naming it for two
    // customers) keep their order too.
    const keys = (e: EventEnvelope<PurchaseRecordedV1>) => [
      e.data.customerId.toLowerCase(),
      `order ${e.data.orderId}`,
    ];
    for (const wave of wavesByKeys(events, keys)) {
      await execute(
        context.manager,
        'INSERT INTO customers (customer_id) SELECT id FROM unnest($1::uuid[]) AS r(id) ORDER BY id ON CONFLICT DO NOTHING',
        [wave.map((e) => e.data.customerId)],
      );
      await execute(
        context.manager,
        `WITH inserted AS (
           INSERT INTO purchase_facts (order_id, customer_id, amount, occurred_at, category_amounts, event_id)
           SELECT o, c, a, t, ca::jsonb, e
             FROM unnest($1::text[], $2::uuid[], $3::numeric[], $4::timestamptz[], $5::text[], $6::text[])
               WITH ORDINALITY AS r(o, c, a, t, ca, e, n)
            ORDER BY n
           ON CONFLICT (order_id) DO NOTHING RETURNING customer_id, category_amounts)
         INSERT INTO customer_category_spend (customer_id, category, spend)
         SELECT i.customer_id, j.key, j.value::numeric FROM inserted i, jsonb_each_text(i.category_amounts) AS j
         ON CONFLICT (customer_id, category) DO UPDATE SET spend = customer_category_spend.spend + EXCLUDED.spend`,
        [
          wave.map((e) => e.data.orderId),
          wave.map((e) => e.data.customerId),
          wave.map((e) => e.data.amount),
          wave.map((e) => e.data.occurredAt),
          wave.map((e) => JSON.stringify(categoryAmounts(e.data))),
          wave.map((e) => e.id),
        ],
      );
      await this.rescoring.rescoreEach(context.manager, causesOf(wave));
    }
  }

  /** The latest consent per channel and purpose, for the customer state topic. */
  @EventPattern(ConsentChanged.type)
  async onConsentChanged(
    @Payload() event: EventEnvelope<ConsentChangedV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    const { customerId, channel, purpose, granted } = event.data;
    await execute(
      context.manager,
      `INSERT INTO customers (customer_id, consents) VALUES ($1, jsonb_build_array($2::jsonb))
       ON CONFLICT (customer_id) DO UPDATE SET
         consents = (SELECT coalesce(jsonb_agg(c), '[]') FROM jsonb_array_elements(customers.consents) c
                      WHERE NOT (c->>'channel' = $3 AND c->>'purpose' = $4)) || jsonb_build_array($2::jsonb),
         updated_at = now()`,
      [customerId, JSON.stringify({ channel, purpose, granted }), channel, purpose],
    );
  }

  /**
   * Erasure: need tags set by hand may describe the person; they go. Scores and purchase facts stay; the
   * customer state topic gets a tombstone.
   */
  @EventPattern(CustomerErased.type)
  async onErased(
    @Payload() event: EventEnvelope<CustomerErasedV1>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await execute(
      context.manager,
      `UPDATE customers SET manual_tags = '{}', consents = '[]', erased = true, updated_at = now() WHERE customer_id = $1`,
      [event.data.customerId],
    );
    // The manual tags are gone from the facts but not yet from the scores: the next sweep looks again.
    await execute(context.manager, 'DELETE FROM customer_reviews WHERE customer_id = $1', [
      event.data.customerId,
    ]);
  }
}

/** Each event's customer with the event as its cause. */
function causesOf(events: EventEnvelope<{ customerId: string }>[]): Map<string, Cause> {
  return new Map(events.map((e) => [e.data.customerId, causeOf(e)]));
}

/** An order's spend per category. */
function categoryAmounts(purchase: PurchaseRecordedV1): Record<string, number> {
  const amounts: Record<string, number> = {};
  for (const item of purchase.items)
    amounts[item.category] = (amounts[item.category] ?? 0) + item.quantity * item.unitPrice;
  return amounts;
}
