import type { EventDefinition } from './envelope/event-definition';
import type { EventLookup } from './envelope/decode';
import { ConsentChanged } from './events/consent-changed.v1';
import { CustomerRegistered } from './events/customer-registered.v1';
import { CustomerUpdated } from './events/customer-updated.v1';
import { PaymentRecorded, PurchaseRecorded, PurchaseRefunded } from './events/purchase-recorded.v1';
import { CustomerErased } from './events/customer-erased.v1';
import { CustomerRescored } from './events/customer-rescored.v1';
import { LifecycleStageChanged } from './events/lifecycle-stage-changed.v1';
import { SegmentChanged } from './events/segment-changed.v1';
import { SegmentSuspended } from './events/segment-suspended.v1';
import { ScoringRulesActivated } from './events/scoring-rules-activated.v1';
import { StaffNotificationRequested } from './events/staff-notification.v1';
import { CareDeliveryFailed } from './events/care-delivery-failed.v1';
import { CareActionTriggered } from './events/care-action-triggered.v1';
import { CategoryExclusionsChanged } from './events/category-exclusions-changed.v1';
import { InteractionLogged } from './events/interaction-logged.v1';
import { CustomerState } from './events/customer-state.v1';
import { OwnerTaskCreated } from './events/owner-task.v1';
import { DateTriggerDue } from './events/date-trigger.v1';
import { WebhookSubscriptionPaused, WebhookSubscriptionResumed } from './events/webhook-subscription.v1';
import {
  ReferralAttributed,
  ReferralQualified,
  ReferralRejected,
  RewardClawedBack,
  RewardGranted,
  ReferralHeld,
} from './events/referral.v1';
import { PointsChanged, PointsGrantRequested } from './events/points.v1';
import { MembershipChanged } from './events/membership-changed.v1';
import { ChurnRiskChanged } from './events/churn-risk-changed.v1';
import { NeedChanged, NeedOverdue, NeedRecorded } from './events/needs.v1';
import { PlanTaskDelayed, PlanTaskEscalated } from './events/plans.v1';
import {
  FeedbackScored,
  SlaBreached,
  SlaWarning,
  SurveyRequested,
  TicketEscalated,
  TicketOpened,
  TicketRequested,
  TicketResolved,
  TicketChanged,
} from './events/feedback.v1';

/** Every event type of the platform, exactly once. */
export const EVENT_CATALOG: readonly EventDefinition[] = [
  CustomerRegistered,
  CustomerUpdated,
  ConsentChanged,
  CustomerErased,
  PurchaseRecorded,
  PaymentRecorded,
  PurchaseRefunded,
  CustomerRescored,
  LifecycleStageChanged,
  SegmentChanged,
  SegmentSuspended,
  ScoringRulesActivated,
  StaffNotificationRequested,
  CategoryExclusionsChanged,
  CareActionTriggered,
  CareDeliveryFailed,
  InteractionLogged,
  ReferralAttributed,
  ReferralRejected,
  ReferralQualified,
  RewardGranted,
  RewardClawedBack,
  ReferralHeld,
  TicketOpened,
  SlaWarning,
  SlaBreached,
  TicketEscalated,
  SurveyRequested,
  FeedbackScored,
  CustomerState,
  WebhookSubscriptionPaused,
  WebhookSubscriptionResumed,
  OwnerTaskCreated,
  DateTriggerDue,
  TicketRequested,
  PointsGrantRequested,
  PointsChanged,
  MembershipChanged,
  ChurnRiskChanged,
  NeedRecorded,
  NeedChanged,
  NeedOverdue,
  PlanTaskDelayed,
  PlanTaskEscalated,
  TicketResolved,
  TicketChanged,
] as EventDefinition[];

export class EventRegistry implements EventLookup {
  private readonly byType = new Map<string, EventDefinition>();

  constructor(definitions: readonly EventDefinition[] = EVENT_CATALOG) {
    for (const definition of definitions) {
      if (this.byType.has(definition.type)) throw new Error(`Event type ${definition.type} is defined twice`);
      this.byType.set(definition.type, definition);
    }
  }

  find(type: string): EventDefinition | undefined {
    return this.byType.get(type);
  }

  get(type: string): EventDefinition {
    const definition = this.byType.get(type);
    if (!definition) throw new Error(`Unknown event type ${type}; add it to contracts/src/registry.ts`);
    return definition;
  }

  all(): EventDefinition[] {
    return [...this.byType.values()];
  }
}

export const eventRegistry = new EventRegistry();
