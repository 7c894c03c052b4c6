import { randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  CustomerRescored,
  PurchaseRecorded,
  SurveyRequested,
  type CustomerRescoredV1,
  type EventEnvelope,
  type PurchaseRecordedV1,
} from '@crm/contracts';
import type { EventContext } from '@crm/messaging';

@Controller()
export class FeedbackHandlers {
  /** The customer's tier and segment pick the SLA policy of their tickets. */
  @EventPattern(CustomerRescored.type)
  async onRescored(@Payload() event: EventEnvelope<CustomerRescoredV1>, @Ctx() context: EventContext) {
    await context.manager.query(
      `INSERT INTO customers (customer_id, value_tier, value_loyalty_segment) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) DO UPDATE SET value_tier = EXCLUDED.value_tier, value_loyalty_segment = EXCLUDED.value_loyalty_segment, updated_at = now()`,
      [event.data.customerId, event.data.current.valueTier, event.data.current.valueLoyaltySegment],
    );
  }

  /** Every purchase schedules a post-purchase CSAT survey (once per order). */
  @EventPattern(PurchaseRecorded.type)
  async onPurchase(@Payload() event: EventEnvelope<PurchaseRecordedV1>, @Ctx() context: EventContext) {
    const surveyId = randomUUID();
    const now = new Date().toISOString();
    const inserted: unknown[] = await context.manager.query(
      `INSERT INTO survey_requests (id, customer_id, kind, order_id, requested_at) VALUES ($1, $2, 'csat', $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
      [surveyId, event.data.customerId, event.data.orderId, now],
    );
    if (inserted.length === 0) return;
    await context.publish(SurveyRequested, {
      customerId: event.data.customerId,
      surveyId,
      kind: 'csat',
      orderId: event.data.orderId,
      requestedAt: now,
    });
  }
}
