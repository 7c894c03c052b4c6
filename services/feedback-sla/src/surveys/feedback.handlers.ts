import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  CustomerErased,
  CustomerRescored,
  PurchaseRecorded,
  SurveyRequested,
  TicketRequested,
  type TicketRequestedV1,
  type CustomerErasedV1,
  type CustomerRescoredV1,
  type EventEnvelope,
  type PurchaseRecordedV1,
} from '@crm/contracts';
import { EventBatchPattern, firesOn, type EventBatchContext, type EventContext } from '@crm/messaging';
import { execute, ServiceClock } from '@crm/persistence';
import { PersonalTexts } from '@crm/privacy';
import { FeedbackConfig } from '../feedback.config';
import { TicketsService } from '../tickets/tickets.service';
import { storeClassifications } from './customer-classifications';
import { SurveyPolicy } from './survey-policy';

@Controller()
export class FeedbackHandlers {
  constructor(
    private readonly tickets: TicketsService,
    private readonly surveys: SurveyPolicy,
    private readonly config: FeedbackConfig,
    private readonly clock: ServiceClock,
    private readonly texts: PersonalTexts,
  ) {}

  /**
   * The customer's tier and segment pick the SLA policy of their tickets, open ones included. A run of
   * records at a time: each customer's classification is stored once, its last; the open tickets of the
   * few customers that have some follow every record in order, as one by one.
   */
  @EventBatchPattern(CustomerRescored.type)
  async onRescored(
    @Payload() events: EventEnvelope<CustomerRescoredV1>[],
    @Ctx() context: EventBatchContext,
  ) {
    const run = events.map(({ data }) => ({
      customerId: data.customerId,
      tier: data.current.valueTier,
      segment: data.current.valueLoyaltySegment,
    }));
    await storeClassifications(context.manager, run);
    const withOpen = await this.tickets.withOpenTickets(
      context.manager,
      run.map((c) => c.customerId),
    );
    for (const event of events) {
      const { customerId, current } = event.data;
      if (!withOpen.has(customerId.toLowerCase())) continue;
      await this.tickets.customerReclassified(
        context.manager,
        customerId,
        current.valueTier,
        current.valueLoyaltySegment,
      );
    }
  }

  /** Every purchase records a post-purchase CSAT request (once per order); the quiet period may hold it back. */
  @EventPattern(PurchaseRecorded.type)
  async onPurchase(@Payload() event: EventEnvelope<PurchaseRecordedV1>, @Ctx() context: EventContext) {
    // History is not news: an imported or long-past order gets no survey.
    if (!firesOn(event, 'csat-survey', this.config.TRIGGER_RECENCY_HOURS)) return;
    const now = await this.clock.now(context.manager);
    const { customerId, orderId } = event.data;
    const request = await this.surveys.record(context.manager, customerId, 'csat', { orderId }, now);
    if (request.status !== 'sent') return;
    await context.publish(SurveyRequested, {
      customerId,
      surveyId: request.id,
      kind: 'csat',
      orderId,
      requestedAt: now.toISOString(),
    });
  }

  /** A journey asked for a ticket: opened once (the request came through growth-campaigns' outbox, the inbox
   * keeps it to one), with the request's correlation. */
  @EventPattern(TicketRequested.type)
  async onTicketRequested(@Payload() event: EventEnvelope<TicketRequestedV1>, @Ctx() context: EventContext) {
    const request = event.data;
    await this.tickets.openIn(
      context.manager,
      {
        customerId: request.customerId,
        type: request.ticketType,
        priority: request.priority,
        owner: request.owner,
        subject: request.subject,
      },
      event.correlationId ?? request.requestId,
    );
  }

  /** Erasure: ticket subjects are free text about the customer; they go. Deadlines and outcomes stay. */
  @EventPattern(CustomerErased.type)
  async onErased(@Payload() event: EventEnvelope<CustomerErasedV1>, @Ctx() context: EventContext) {
    await execute(context.manager, 'UPDATE tickets SET subject = NULL WHERE customer_id = $1', [
      event.data.customerId,
    ]);
    // Survey comments: destroying the customer's text key makes every sealed comment unreadable at once.
    await this.texts.erase(context.manager, event.data.customerId);
    await execute(
      context.manager,
      'UPDATE survey_requests SET comment_sealed = NULL WHERE customer_id = $1',
      [event.data.customerId],
    );
  }
}
