import { Controller, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  FeedbackScored,
  PointsChanged,
  PointsGrantRequested,
  type EventEnvelope,
  type FeedbackScoredV1,
  type PointsGrantRequestedV1,
  type PurchaseRecordedV1,
} from '@crm/contracts';
import { causedBy, causeOf, OutboxPublisher, type EventContext } from '@crm/messaging';
import { ServiceClock } from '@crm/persistence';
import { conflict, invalid } from '@crm/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { purchasePoints } from './points-allocation';
import {
  PointsErrorCode,
  PointsLedger,
  type Earning,
  type PointsEntryView,
  type PointsRuleView,
  type PublishPoints,
} from './points-ledger';

const publisher =
  (context: Pick<EventContext, 'publish'>): PublishPoints =>
  (movement) =>
    context.publish(PointsChanged, movement, movement.customerId);

/** What a purchase earns by the purchase rule (per unit of its amount, or fixed points), if anything. */
function purchaseEarning(purchase: PurchaseRecordedV1, rule: PointsRuleView): Earning | undefined {
  const points = rule.pointsPerUnit
    ? purchasePoints(purchase.amount, rule.pointsPerUnit)
    : (rule.points ?? 0);
  if (points < 1) return undefined;
  return {
    customerId: purchase.customerId,
    points,
    source: 'purchase',
    reason: `order ${purchase.orderId}`,
    idempotencyKey: `purchase:${purchase.customerId}:${purchase.orderId}`,
    at: new Date(purchase.occurredAt),
    expiresAfterDays: rule.expiresAfterDays,
  };
}

/**
 * What earns care points, by the rules in `points_rules`: a purchase (per unit of its amount), a survey
 * answer, a journey's grant. Referral rewards are credited where they are granted (ReferralHandlers).
 * Each earns once: the idempotency key is the fact's own id.
 */
@Injectable()
export class PointsEarnings {
  constructor(
    private readonly ledger: PointsLedger,
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly clock: ServiceClock,
  ) {}

  /** Taking part in an activity (staff or an integration says so): the activity rule's points, once per id. */
  async activity(
    customerId: string,
    earningId: string,
    reason: string,
    points: number | undefined,
    correlationId: string,
  ): Promise<PointsEntryView> {
    return this.dataSource.transaction(async (manager) => {
      const rule = await this.ledger.activeRule(manager, 'activity');
      if (!rule)
        throw conflict(PointsErrorCode.RuleInactive, 'source', 'the activity earning rule is switched off');
      const amount = points ?? rule.points ?? 0;
      if (amount < 1) throw invalid('points', 'is required: the activity rule gives no fixed points');
      const idempotencyKey = `activity:${earningId}`;
      const entry = await this.ledger.earn(
        manager,
        {
          customerId,
          points: amount,
          source: 'activity',
          reason,
          idempotencyKey,
          at: await this.clock.now(manager),
          expiresAfterDays: rule.expiresAfterDays,
        },
        (movement) =>
          this.outbox.publish(manager, PointsChanged, movement, { subject: customerId, correlationId }),
      );
      if (entry) return entry;
      const earlier = await this.ledger.entryByKey(manager, idempotencyKey);
      if (!earlier || earlier.customerId !== customerId)
        throw invalid('earningId', 'was already used for another customer');
      const { customerId: _owner, ...view } = earlier;
      return view;
    });
  }

  async onFeedbackScored(event: EventEnvelope<FeedbackScoredV1>, context: EventContext): Promise<void> {
    const rule = await this.ledger.activeRule(context.manager, 'survey');
    if (!rule?.points) return;
    await this.ledger.earn(
      context.manager,
      {
        customerId: event.data.customerId,
        points: rule.points,
        source: 'survey',
        reason: `${event.data.kind} survey answered`,
        idempotencyKey: `survey:${event.data.surveyId}`,
        at: new Date(event.data.answeredAt),
        expiresAfterDays: rule.expiresAfterDays,
      },
      publisher(context),
    );
  }

  async onGrantRequested(event: EventEnvelope<PointsGrantRequestedV1>, context: EventContext): Promise<void> {
    const rule = await this.ledger.activeRule(context.manager, 'journey');
    if (!rule) return;
    await this.ledger.earn(
      context.manager,
      {
        customerId: event.data.customerId,
        points: event.data.points,
        source: 'journey',
        reason: `${event.data.requestedBy}: ${event.data.reason}`,
        idempotencyKey: `journey:${event.data.requestId}`,
        at: new Date(event.time),
        expiresAfterDays: rule.expiresAfterDays,
      },
      publisher(context),
    );
  }

  /** Called by the purchase handler (one handler per event type and service). */
  async onPurchase(purchase: PurchaseRecordedV1, context: EventContext): Promise<void> {
    const rule = await this.ledger.activeRule(context.manager, 'purchase');
    const earning = rule && purchaseEarning(purchase, rule);
    if (earning) await this.ledger.earn(context.manager, earning, publisher(context));
  }

  /**
   * Purchases of distinct customers (a wave of a run), each earning as `onPurchase` would, with the rule
   * read once and the ledger written set-based; each movement is published with its purchase as the cause,
   * all of them with one statement once their subjects' outbox locks are held (one more).
   */
  async onPurchases(events: EventEnvelope<PurchaseRecordedV1>[], manager: EntityManager): Promise<void> {
    const rule = await this.ledger.activeRule(manager, 'purchase');
    if (!rule) return;
    const causes = new Map<Earning, EventEnvelope>();
    const earnings = events.flatMap((event) => {
      const earning = purchaseEarning(event.data, rule);
      if (!earning) return [];
      causes.set(earning, event);
      return [earning];
    });
    await this.ledger.earnMany(manager, earnings, async (credited) => {
      if (credited.length === 0) return;
      await this.outbox.lockSubjects(
        manager,
        credited.map(({ movement }) => movement.customerId),
      );
      await this.outbox.publishMany(
        manager,
        credited.map(({ earning, movement }) => ({
          definition: PointsChanged,
          payload: movement,
          meta: causedBy(movement.customerId, causeOf(causes.get(earning)!)),
        })),
        { subjectsLockedByCaller: true },
      );
    });
  }

  /** A referral reward, credited in the ledger under the reward's own key. */
  /** Takes a reward's points back through the ledger (a clawed-back referral). */
  clawBack(
    context: EventContext,
    claw: { customerId: string; points: number; idempotencyKey: string; reason: string },
  ): Promise<{ recovered: number; shortfall: number } | undefined> {
    return this.ledger.clawBack(context.manager, claw, publisher(context));
  }

  async onReward(
    context: Pick<EventContext, 'manager' | 'publish'>,
    reward: { customerId: string; points: number; idempotencyKey: string; at: Date; role: string },
  ): Promise<void> {
    const rule = await this.ledger.activeRule(context.manager, 'referral');
    if (!rule) return;
    await this.ledger.earn(
      context.manager,
      {
        customerId: reward.customerId,
        points: reward.points,
        source: 'referral',
        reason: `referral reward (${reward.role})`,
        idempotencyKey: reward.idempotencyKey,
        at: reward.at,
        expiresAfterDays: rule.expiresAfterDays,
      },
      publisher(context),
    );
  }
}

/** The events that earn points and that no other handler of this service consumes. */
@Controller()
export class PointsHandlers {
  constructor(private readonly earnings: PointsEarnings) {}

  @EventPattern(FeedbackScored.type)
  onFeedbackScored(@Payload() event: EventEnvelope<FeedbackScoredV1>, @Ctx() context: EventContext) {
    return this.earnings.onFeedbackScored(event, context);
  }

  @EventPattern(PointsGrantRequested.type)
  onGrantRequested(@Payload() event: EventEnvelope<PointsGrantRequestedV1>, @Ctx() context: EventContext) {
    return this.earnings.onGrantRequested(event, context);
  }
}
