// Generated from contracts/ by `npm run docs:contracts`; a test fails when it is out of date. Do not edit.

import type { CustomerEvent } from '../decode';

export const CONTRACTS_VERSION = '1.1.0';

export interface ConsentV1 {
  channel: "phone" | "visit" | "online" | "email" | "sms" | "app-push" | "messaging-app" | "in-app";
  purpose: "service" | "marketing";
  granted: boolean;
  changedAt: string;
}

/** `crm.customer.registered.v1`: A customer was registered (sign-up, import or account manager). */
export interface CustomerRegisteredV1 {
  customerId: string;
  externalRef: string;
  kind: "person" | "company";
  industry?: string | null;
  companySize?: string | null;
  acquisitionChannel?: string | null;
  acquisitionCost?: number | null;
  birthdayMonthDay?: string | null;
  registeredAt: string;
  relationshipStartedAt: string;
  referredByCode?: string | null;
  emailHash?: string | null;
  phoneHash?: string | null;
  owner?: string | null;
  timeZone?: string | null;
  locale?: "en" | "zh-CN" | null;
  contactFrequency?: "normal" | "reduced" | null;
  consents: ConsentV1[];
}

/** `crm.customer.updated.v1`: Profile attributes of a customer changed. */
export interface CustomerUpdatedV1 {
  customerId: string;
  changedFields: string[];
  industry?: string | null;
  companySize?: string | null;
  owner?: string | null;
  timeZone?: string | null;
  locale?: "en" | "zh-CN" | null;
  contactFrequency?: "normal" | "reduced" | null;
}

/** `crm.consent.changed.v1`: A customer granted or withdrew consent for a purpose on a channel. */
export interface ConsentChangedV1 {
  customerId: string;
  channel: "phone" | "visit" | "online" | "email" | "sms" | "app-push" | "messaging-app" | "in-app";
  purpose: "service" | "marketing";
  granted: boolean;
  changedAt: string;
}

/** `crm.customer.erased.v1`: Personal data of a customer was erased (crypto-shredded); purge local copies. */
export interface CustomerErasedV1 {
  customerId: string;
  erasedAt: string;
}

export interface PurchaseAggregatesV1 {
  lifetimeSpend: number;
  trailing12mSpend: number;
  trailing12mPurchaseCount: number;
  lifetimePurchaseCount: number;
  firstPurchaseAt: string;
  lastPurchaseAt: string;
}

export interface PurchaseItemV1 {
  sku: string;
  category: string;
  quantity: number;
  unitPrice: number;
}

/** `crm.purchase.recorded.v1`: A purchase was recorded for a customer (live or history import). */
export interface PurchaseRecordedV1 {
  customerId: string;
  orderId: string;
  amount: number;
  currency: string;
  occurredAt: string;
  firstPurchase: boolean;
  items: PurchaseItemV1[];
  aggregates: PurchaseAggregatesV1;
  paymentDueAt?: string | null;
  warrantyUntil?: string | null;
}

/** `crm.payment.recorded.v1`: A payment was recorded against an order (in part or in full). */
export interface PaymentRecordedV1 {
  customerId: string;
  orderId: string;
  paymentId: string;
  amount: number;
  currency: string;
  paidAt: string;
  paidInFull: boolean;
}

/** `crm.purchase.refunded.v1`: A purchase was refunded in part or in full; scores and aggregates are net of it, and it is a service moment. */
export interface PurchaseRefundedV1 {
  customerId: string;
  orderId: string;
  refundId: string;
  amount: number;
  currency: string;
  reason: "returned" | "defective" | "goodwill" | "cancelled" | "other";
  refundedOnOrder: number;
  orderAmount: number;
  fullyRefunded: boolean;
  orderOccurredAt: string;
  refundedAt: string;
  lifetimeSpend: number;
}

export interface CustomerClassificationV1 {
  rfm: RfmScoreV1;
  valueTier: "high-value" | "potential" | "stable" | "silent";
  valueLoyaltySegment: "core" | "potential" | "general" | "churn-warning";
  membershipLevel: "gold" | "silver" | "bronze";
  lifecycleStage: "acquisition" | "growth" | "maturity" | "decline" | "churned";
  tags: string[];
}

export interface RfmScoreV1 {
  recency: number;
  frequency: number;
  monetary: number;
}

/** `crm.customer.rescored.v1`: RFM scores, value tier, value-loyalty segment, membership level, stage or tags changed. */
export interface CustomerRescoredV1 {
  customerId: string;
  current: CustomerClassificationV1;
  previous?: CustomerClassificationV1 | null;
  changed: string[];
  causedByEventId?: string | null;
  sweepRunId?: string | null;
  rulesVersion?: string | null;
  scoredAt: string;
}

/** `crm.lifecycle-stage.changed.v1`: A customer moved to another relationship stage (by an event or by the passing of time). */
export interface LifecycleStageChangedV1 {
  customerId: string;
  previousStage?: "acquisition" | "growth" | "maturity" | "decline" | "churned" | null;
  stage: "acquisition" | "growth" | "maturity" | "decline" | "churned";
  reactivated: boolean;
  causedByEventId?: string | null;
  sweepRunId?: string | null;
  rulesVersion?: string | null;
  changedAt: string;
}

/** `crm.segment.changed.v1`: A customer entered or exited a segment, with the event or sweep that caused it. */
export interface SegmentChangedV1 {
  customerId: string;
  segmentSet: string;
  segment: string;
  change: "entered" | "exited";
  counterpart?: string | null;
  causedByEventId?: string | null;
  sweepRunId?: string | null;
  rulesVersion?: string | null;
  changedAt: string;
}

/** `crm.segment.suspended.v1`: A segment was suspended because its evaluation failed or timed out; other segments and events carry on. */
export interface SegmentSuspendedV1 {
  segmentId: string;
  version: number;
  reason: string;
  suspendedAt: string;
}

/** `crm.scoring-rules.activated.v1`: A scoring rule-set version became active (or was rolled back to); from now on scores and scoring events carry it. */
export interface ScoringRulesActivatedV1 {
  ruleSet: "scoring";
  version: string;
  previousVersion?: string | null;
  action: "activated" | "rolled-back";
  actor: string;
  reason?: string | null;
  sweepRunId?: string | null;
  activatedAt: string;
}

/** `crm.staff-notification.requested.v1`: An escalation step routed to a person (owner, team lead, executive on call); growth-campaigns delivers it as a service message. */
export interface StaffNotificationRequestedV1 {
  customerId: string;
  ticketId: string;
  notificationId: string;
  staffId: string;
  role: "owner" | "team-lead" | "executive-on-call";
  step: "warning" | "breach" | "executive";
  teamId?: string | null;
  policy: string;
  reason: string;
  dueAt?: string | null;
  requestedAt: string;
}

/** `crm.category-exclusions.changed.v1`: A customer's excluded categories changed (a complaint about a category, a dismissed offer, an account manager). Targeting must respect them. */
export interface CategoryExclusionsChangedV1 {
  customerId: string;
  excludedCategories: string[];
  reason: "complaint" | "dismissal" | "account-manager";
  causedByEventId?: string | null;
  changedAt: string;
}

/** `crm.care-action.triggered.v1`: A playbook triggered a care or growth action for a customer (after consent and cap checks). */
export interface CareActionTriggeredV1 {
  customerId: string;
  careActionId: string;
  playbook: string;
  action: string;
  purpose: "service" | "marketing";
  channel: "phone" | "visit" | "online" | "email" | "sms" | "app-push" | "messaging-app" | "in-app";
  idempotencyKey: string;
  contactDueAt?: string | null;
  triggeredByEventId: string;
  template?: string | null;
  variant?: string | null;
  locale?: "en" | "zh-CN" | null;
  sendAfter?: string | null;
  triggeredAt: string;
}

/** `crm.care.delivery-failed.v1`: A care touch was given up after retrying with backoff for its maximum age; someone must reach the customer another way. */
export interface CareDeliveryFailedV1 {
  customerId: string;
  careActionId: string;
  action: string;
  purpose: "service" | "marketing";
  channel: "phone" | "visit" | "online" | "email" | "sms" | "app-push" | "messaging-app" | "in-app";
  idempotencyKey: string;
  attempts: number;
  reason: string;
  triggeredAt: string;
  failedAt: string;
}

/** `crm.interaction.logged.v1`: An interaction with a customer was logged (by an agent or automatically). */
export interface InteractionLoggedV1 {
  customerId: string;
  interactionId: string;
  occurredAt: string;
  channel: "phone" | "visit" | "online" | "email" | "sms" | "app-push" | "messaging-app" | "in-app";
  direction: "inbound" | "outbound";
  automated: boolean;
  status: "done" | "in-progress" | "pending";
  careActionId?: string | null;
  owner?: string | null;
  followUpDueAt?: string | null;
}

/** `crm.referral.attributed.v1`: A new customer signed up with a referral code. */
export interface ReferralAttributedV1 {
  customerId: string;
  referralId: string;
  referrerCustomerId: string;
  code: string;
  attributedAt: string;
}

/** `crm.referral.rejected.v1`: A referral code at sign-up was not accepted, with the reason. */
export interface ReferralRejectedV1 {
  customerId: string;
  code: string;
  reason: "self-referral" | "unknown-code" | "already-referred";
  rejectedAt: string;
}

/** `crm.referral.qualified.v1`: The referee's first purchase qualified the referral. */
export interface ReferralQualifiedV1 {
  customerId: string;
  referralId: string;
  referrerCustomerId: string;
  qualifyingOrderId: string;
  qualifiedAt: string;
}

/** `crm.reward.granted.v1`: A referral reward was credited to a customer (exactly once per referral and role). */
export interface RewardGrantedV1 {
  customerId: string;
  rewardId: string;
  referralId: string;
  role: "referrer" | "referee";
  points: number;
  idempotencyKey: string;
  grantedAt: string;
}

/** `crm.reward.clawed-back.v1`: A referral reward was clawed back because the referee's qualifying order was fully refunded within the return window; a shortfall records what was already spent. */
export interface RewardClawedBackV1 {
  customerId: string;
  rewardId: string;
  referralId: string;
  role: "referrer" | "referee";
  points: number;
  recovered: number;
  shortfall: number;
  orderId: string;
  reason: "qualifying-order-refunded";
  clawedBackAt: string;
}

/** `crm.referral.held.v1`: A qualified referral was held for review (referral velocity, or a contact shared with another recent referee): no reward until an admin releases it. */
export interface ReferralHeldV1 {
  customerId: string;
  referralId: string;
  referrerCustomerId: string;
  reason: "referrer-velocity" | "shared-contact";
  heldAt: string;
}

/** `crm.ticket.opened.v1`: A ticket (consultation, fault, complaint, suggestion) was opened with its SLA deadlines. */
export interface TicketOpenedV1 {
  customerId: string;
  ticketId: string;
  ticketType: "consultation" | "fault" | "complaint" | "suggestion" | "follow-up";
  priority: "low" | "normal" | "high" | "urgent";
  policy: string;
  firstResponseDueAt: string;
  resolutionDueAt: string;
  openedAt: string;
  surveyId?: string | null;
  category?: string | null;
}

/** `crm.sla.warning.v1`: A ticket deadline is near: its warning share of the target is used. Once per ticket and metric. */
export interface SlaWarningV1 {
  customerId: string;
  ticketId: string;
  metric: "first-response" | "next-response" | "resolution";
  policy: string;
  share: number;
  dueAt: string;
  warnedAt: string;
}

/** `crm.sla.breached.v1`: A ticket deadline passed unmet. Emitted exactly once per ticket and metric. */
export interface SlaBreachedV1 {
  customerId: string;
  ticketId: string;
  metric: "first-response" | "next-response" | "resolution";
  policy: string;
  dueAt: string;
  breachedAt: string;
}

/** `crm.ticket.escalated.v1`: A ticket moved up the escalation path front line → department → executive. Once per ticket and level. */
export interface TicketEscalatedV1 {
  customerId: string;
  ticketId: string;
  level: "front-line" | "department" | "executive";
  previousLevel: "front-line" | "department" | "executive";
  policy: string;
  reason: string;
  escalatedAt: string;
}

/** `crm.survey.requested.v1`: A satisfaction survey was scheduled (after a purchase or a resolved ticket). Never combined with marketing. */
export interface SurveyRequestedV1 {
  customerId: string;
  surveyId: string;
  kind: "csat" | "nps";
  orderId?: string | null;
  ticketId?: string | null;
  requestedAt: string;
}

/** `crm.feedback.scored.v1`: A customer answered a CSAT (1-5) or NPS (0-10) survey; a detractor or CSAT of at most 2 carries the follow-up ticket. */
export interface FeedbackScoredV1 {
  customerId: string;
  surveyId: string;
  kind: "csat" | "nps";
  score: number;
  sentiment: "promoter" | "passive" | "detractor" | "satisfied" | "neutral" | "dissatisfied";
  answeredAt: string;
  followUpTicketId?: string | null;
  lowItems?: string[] | null;
  commented?: boolean | null;
}

export interface ConsentFlagV1 {
  channel: "phone" | "visit" | "online" | "email" | "sms" | "app-push" | "messaging-app" | "in-app";
  purpose: "service" | "marketing";
  granted: boolean;
}

/** `crm.customer-state.snapshot.v1`: A customer's latest non-personal state (tier, segments, level, stage, tags, consents); null value on erasure. */
export interface CustomerStateV1 {
  customerId: string;
  revision: number;
  valueTier?: "high-value" | "potential" | "stable" | "silent" | null;
  valueLoyaltySegment?: "core" | "potential" | "general" | "churn-warning" | null;
  membershipLevel?: "gold" | "silver" | "bronze" | null;
  lifecycleStage?: "acquisition" | "growth" | "maturity" | "decline" | "churned" | null;
  tags: string[];
  customSegments: string[];
  consents: ConsentFlagV1[];
  updatedAt: string;
}

/** `crm.webhook-subscription.paused.v1`: A webhook subscription was paused after its endpoint failed too many times in a row. */
export interface WebhookSubscriptionPausedV1 {
  subscriptionId: string;
  name: string;
  consecutiveFailures: number;
  lastError: string;
  pendingDeliveries: number;
  pausedAt: string;
}

/** `crm.webhook-subscription.resumed.v1`: A paused webhook subscription was resumed. */
export interface WebhookSubscriptionResumedV1 {
  subscriptionId: string;
  name: string;
  resumedBy?: string | null;
  pendingDeliveries: number;
  resumedAt: string;
}

/** `crm.owner-task.created.v1`: A task was put in the customer owner's queue: a missed cadence, an overdue follow-up or an unmet contact deadline. */
export interface OwnerTaskCreatedV1 {
  customerId: string;
  taskId: string;
  kind: "cadence-missed" | "follow-up-overdue" | "contact-overdue" | "journey-task" | "need-overdue";
  owner?: string | null;
  detail: string;
  dueAt: string;
  createdAt: string;
}

/** `crm.date-trigger.due.v1`: A customer's date came due (birthday or membership anniversary ahead, days since registration, days without a purchase). */
export interface DateTriggerDueV1 {
  customerId: string;
  trigger: "birthday" | "membership-anniversary" | "days-since-registration" | "days-without-purchase" | "payment-due" | "warranty-expiry";
  occursAt: string;
  dueAt: string;
  detail: string;
  orderId?: string | null;
}

/** `crm.ticket.requested.v1`: A journey asked for a ticket (a consultation, follow-up or suggestion); feedback-sla opens it. */
export interface TicketRequestedV1 {
  customerId: string;
  requestId: string;
  ticketType: "consultation" | "follow-up" | "suggestion";
  priority: "low" | "normal" | "high" | "urgent";
  subject: string;
  owner?: string | null;
  requestedBy: string;
}

/** `crm.points.grant-requested.v1`: A journey granted care points; referral's points ledger credits them (once per request). */
export interface PointsGrantRequestedV1 {
  customerId: string;
  requestId: string;
  points: number;
  reason: string;
  requestedBy: string;
}

/** `crm.points.changed.v1`: A customer's care points moved: earned (a purchase, a survey answer, a referral, an activity, a journey), redeemed for a benefit, or expired. */
export interface PointsChangedV1 {
  customerId: string;
  entryId: string;
  movement: "earned" | "redeemed" | "expired" | "clawed-back";
  points: number;
  balance: number;
  source?: "purchase" | "survey" | "referral" | "activity" | "journey" | null;
  reason?: string | null;
  idempotencyKey: string;
  expiresAt?: string | null;
  occurredAt: string;
}

/** `crm.membership.changed.v1`: A customer's membership level (gold, silver, bronze) changed, with the new level's privileges. */
export interface MembershipChangedV1 {
  customerId: string;
  level: "gold" | "silver" | "bronze";
  previousLevel: "gold" | "silver" | "bronze";
  direction: "up" | "down";
  privileges: string[];
  causedByEventId?: string | null;
  sweepRunId?: string | null;
  rulesVersion?: string | null;
  changedAt: string;
}

/** `crm.churn-risk.changed.v1`: A customer's churn risk crossed the alert threshold (level high), or fell back below it (level normal); falling interaction frequency counts toward it. */
export interface ChurnRiskChangedV1 {
  customerId: string;
  level: "high" | "normal";
  churnRisk: number;
  purchaseRisk: number;
  interactionDecline: number;
  interactionsRecent: number;
  interactionsBefore: number;
  threshold: number;
  rulesVersion: string;
  causedByEventId?: string | null;
  sweepRunId?: string | null;
  changedAt: string;
}

/** `crm.need.recorded.v1`: A need was added to the customer's needs register (type, priority, owner, due date). */
export interface NeedRecordedV1 {
  customerId: string;
  needId: string;
  type: "product" | "service" | "price" | "support" | "other";
  priority: "high" | "medium" | "low";
  owner: string;
  dueAt: string;
  status: "open" | "in-progress" | "solved" | "cancelled";
  customerConfirmed: boolean;
  changedAt: string;
}

/** `crm.need.changed.v1`: A need in the register changed: its status (solved, cancelled, …), priority, owner, due date or the customer confirming the solution. */
export interface NeedChangedV1 {
  changed: Array<"status" | "priority" | "owner" | "due-date" | "confirmation">;
  previousStatus?: "open" | "in-progress" | "solved" | "cancelled" | null;
  customerId: string;
  needId: string;
  type: "product" | "service" | "price" | "support" | "other";
  priority: "high" | "medium" | "low";
  owner: string;
  dueAt: string;
  status: "open" | "in-progress" | "solved" | "cancelled";
  customerConfirmed: boolean;
  changedAt: string;
}

/** `crm.need.overdue.v1`: A need passed its due date unsolved: growth-campaigns puts a task in its owner's queue (kind need-overdue). */
export interface NeedOverdueV1 {
  overdueAt: string;
  customerId: string;
  needId: string;
  type: "product" | "service" | "price" | "support" | "other";
  priority: "high" | "medium" | "low";
  owner: string;
  dueAt: string;
  status: "open" | "in-progress" | "solved" | "cancelled";
  customerConfirmed: boolean;
  changedAt: string;
}

/** `crm.plan-task.delayed.v1`: A plan task had no progress for two weeks: it is flagged delayed and is first in its owner's queue. */
export interface PlanTaskDelayedV1 {
  daysWithoutProgress: number;
  delayedAt: string;
  planId: string;
  taskId: string;
  title: string;
  owner: string;
  department: string;
  dueAt: string;
  progress: number;
  lastProgressAt: string;
}

/** `crm.plan-task.escalated.v1`: A plan task passed its deadline unfinished: escalated to its department, then to the executive level. */
export interface PlanTaskEscalatedV1 {
  level: "department" | "executive";
  escalatedAt: string;
  planId: string;
  taskId: string;
  title: string;
  owner: string;
  department: string;
  dueAt: string;
  progress: number;
  lastProgressAt: string;
}

/** `crm.ticket.resolved.v1`: A ticket was resolved: when it was opened, first answered and resolved, and whether each SLA deadline was breached. */
export interface TicketResolvedV1 {
  customerId: string;
  ticketId: string;
  ticketType: "consultation" | "fault" | "complaint" | "suggestion" | "follow-up";
  priority: "low" | "normal" | "high" | "urgent";
  openedAt: string;
  firstRespondedAt: string;
  resolvedAt: string;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
}

/** `crm.ticket.changed.v1`: A ticket moved between opening and resolution: responded, waiting on the customer, customer replied, or priority changed. */
export interface TicketChangedV1 {
  customerId: string;
  ticketId: string;
  change: "responded" | "waiting-on-customer" | "customer-replied" | "priority-changed" | "reassigned" | "reopened";
  status: string;
  priority: "low" | "normal" | "high" | "urgent";
  previousPriority?: "low" | "normal" | "high" | "urgent" | null;
  owner?: string | null;
  previousOwner?: string | null;
  changedAt: string;
}

/** The payload type of each event type. */
export interface EventPayloads {
  'crm.customer.registered.v1': CustomerRegisteredV1;
  'crm.customer.updated.v1': CustomerUpdatedV1;
  'crm.consent.changed.v1': ConsentChangedV1;
  'crm.customer.erased.v1': CustomerErasedV1;
  'crm.purchase.recorded.v1': PurchaseRecordedV1;
  'crm.payment.recorded.v1': PaymentRecordedV1;
  'crm.purchase.refunded.v1': PurchaseRefundedV1;
  'crm.customer.rescored.v1': CustomerRescoredV1;
  'crm.lifecycle-stage.changed.v1': LifecycleStageChangedV1;
  'crm.segment.changed.v1': SegmentChangedV1;
  'crm.segment.suspended.v1': SegmentSuspendedV1;
  'crm.scoring-rules.activated.v1': ScoringRulesActivatedV1;
  'crm.staff-notification.requested.v1': StaffNotificationRequestedV1;
  'crm.category-exclusions.changed.v1': CategoryExclusionsChangedV1;
  'crm.care-action.triggered.v1': CareActionTriggeredV1;
  'crm.care.delivery-failed.v1': CareDeliveryFailedV1;
  'crm.interaction.logged.v1': InteractionLoggedV1;
  'crm.referral.attributed.v1': ReferralAttributedV1;
  'crm.referral.rejected.v1': ReferralRejectedV1;
  'crm.referral.qualified.v1': ReferralQualifiedV1;
  'crm.reward.granted.v1': RewardGrantedV1;
  'crm.reward.clawed-back.v1': RewardClawedBackV1;
  'crm.referral.held.v1': ReferralHeldV1;
  'crm.ticket.opened.v1': TicketOpenedV1;
  'crm.sla.warning.v1': SlaWarningV1;
  'crm.sla.breached.v1': SlaBreachedV1;
  'crm.ticket.escalated.v1': TicketEscalatedV1;
  'crm.survey.requested.v1': SurveyRequestedV1;
  'crm.feedback.scored.v1': FeedbackScoredV1;
  'crm.customer-state.snapshot.v1': CustomerStateV1;
  'crm.webhook-subscription.paused.v1': WebhookSubscriptionPausedV1;
  'crm.webhook-subscription.resumed.v1': WebhookSubscriptionResumedV1;
  'crm.owner-task.created.v1': OwnerTaskCreatedV1;
  'crm.date-trigger.due.v1': DateTriggerDueV1;
  'crm.ticket.requested.v1': TicketRequestedV1;
  'crm.points.grant-requested.v1': PointsGrantRequestedV1;
  'crm.points.changed.v1': PointsChangedV1;
  'crm.membership.changed.v1': MembershipChangedV1;
  'crm.churn-risk.changed.v1': ChurnRiskChangedV1;
  'crm.need.recorded.v1': NeedRecordedV1;
  'crm.need.changed.v1': NeedChangedV1;
  'crm.need.overdue.v1': NeedOverdueV1;
  'crm.plan-task.delayed.v1': PlanTaskDelayedV1;
  'crm.plan-task.escalated.v1': PlanTaskEscalatedV1;
  'crm.ticket.resolved.v1': TicketResolvedV1;
  'crm.ticket.changed.v1': TicketChangedV1;
}

export type EventType = keyof EventPayloads;

export const EVENT_TYPES: readonly EventType[] = ["crm.customer.registered.v1","crm.customer.updated.v1","crm.consent.changed.v1","crm.customer.erased.v1","crm.purchase.recorded.v1","crm.payment.recorded.v1","crm.purchase.refunded.v1","crm.customer.rescored.v1","crm.lifecycle-stage.changed.v1","crm.segment.changed.v1","crm.segment.suspended.v1","crm.scoring-rules.activated.v1","crm.staff-notification.requested.v1","crm.category-exclusions.changed.v1","crm.care-action.triggered.v1","crm.care.delivery-failed.v1","crm.interaction.logged.v1","crm.referral.attributed.v1","crm.referral.rejected.v1","crm.referral.qualified.v1","crm.reward.granted.v1","crm.reward.clawed-back.v1","crm.referral.held.v1","crm.ticket.opened.v1","crm.sla.warning.v1","crm.sla.breached.v1","crm.ticket.escalated.v1","crm.survey.requested.v1","crm.feedback.scored.v1","crm.customer-state.snapshot.v1","crm.webhook-subscription.paused.v1","crm.webhook-subscription.resumed.v1","crm.owner-task.created.v1","crm.date-trigger.due.v1","crm.ticket.requested.v1","crm.points.grant-requested.v1","crm.points.changed.v1","crm.membership.changed.v1","crm.churn-risk.changed.v1","crm.need.recorded.v1","crm.need.changed.v1","crm.need.overdue.v1","crm.plan-task.delayed.v1","crm.plan-task.escalated.v1","crm.ticket.resolved.v1","crm.ticket.changed.v1"];

/** The topic each event type is published on. */
export const EVENT_TOPICS: { readonly [T in EventType]: string } = {"crm.customer.registered.v1":"crm.customers.v1","crm.customer.updated.v1":"crm.customers.v1","crm.consent.changed.v1":"crm.customers.v1","crm.customer.erased.v1":"crm.customers.v1","crm.purchase.recorded.v1":"crm.purchases.v1","crm.payment.recorded.v1":"crm.purchases.v1","crm.purchase.refunded.v1":"crm.purchases.v1","crm.customer.rescored.v1":"crm.scoring.v1","crm.lifecycle-stage.changed.v1":"crm.scoring.v1","crm.segment.changed.v1":"crm.scoring.v1","crm.segment.suspended.v1":"crm.segments.v1","crm.scoring-rules.activated.v1":"crm.rule-sets.v1","crm.staff-notification.requested.v1":"crm.feedback.v1","crm.category-exclusions.changed.v1":"crm.scoring.v1","crm.care-action.triggered.v1":"crm.care-actions.v1","crm.care.delivery-failed.v1":"crm.care-actions.v1","crm.interaction.logged.v1":"crm.interactions.v1","crm.referral.attributed.v1":"crm.referrals.v1","crm.referral.rejected.v1":"crm.referrals.v1","crm.referral.qualified.v1":"crm.referrals.v1","crm.reward.granted.v1":"crm.referrals.v1","crm.reward.clawed-back.v1":"crm.referrals.v1","crm.referral.held.v1":"crm.referrals.v1","crm.ticket.opened.v1":"crm.feedback.v1","crm.sla.warning.v1":"crm.feedback.v1","crm.sla.breached.v1":"crm.feedback.v1","crm.ticket.escalated.v1":"crm.feedback.v1","crm.survey.requested.v1":"crm.feedback.v1","crm.feedback.scored.v1":"crm.feedback.v1","crm.customer-state.snapshot.v1":"crm.customer-state.v1","crm.webhook-subscription.paused.v1":"crm.webhooks.v1","crm.webhook-subscription.resumed.v1":"crm.webhooks.v1","crm.owner-task.created.v1":"crm.care-actions.v1","crm.date-trigger.due.v1":"crm.care-actions.v1","crm.ticket.requested.v1":"crm.care-actions.v1","crm.points.grant-requested.v1":"crm.care-actions.v1","crm.points.changed.v1":"crm.referrals.v1","crm.membership.changed.v1":"crm.scoring.v1","crm.churn-risk.changed.v1":"crm.scoring.v1","crm.need.recorded.v1":"crm.interactions.v1","crm.need.changed.v1":"crm.interactions.v1","crm.need.overdue.v1":"crm.interactions.v1","crm.plan-task.delayed.v1":"crm.plans.v1","crm.plan-task.escalated.v1":"crm.plans.v1","crm.ticket.resolved.v1":"crm.feedback.v1","crm.ticket.changed.v1":"crm.feedback.v1"};

/** Every topic, its key field and cleanup policy (`compact`: the newest record per key is kept). */
export const TOPICS: ReadonlyArray<{ name: string; key: string; cleanupPolicy: 'delete' | 'compact'; partitions: number }> = [{"name":"crm.customers.v1","key":"customerId","cleanupPolicy":"delete","partitions":6},{"name":"crm.purchases.v1","key":"customerId","cleanupPolicy":"delete","partitions":6},{"name":"crm.scoring.v1","key":"customerId","cleanupPolicy":"delete","partitions":6},{"name":"crm.care-actions.v1","key":"customerId","cleanupPolicy":"delete","partitions":6},{"name":"crm.interactions.v1","key":"customerId","cleanupPolicy":"delete","partitions":6},{"name":"crm.referrals.v1","key":"customerId","cleanupPolicy":"delete","partitions":6},{"name":"crm.feedback.v1","key":"customerId","cleanupPolicy":"delete","partitions":6},{"name":"crm.segments.v1","key":"segmentId","cleanupPolicy":"delete","partitions":6},{"name":"crm.customer-state.v1","key":"customerId","cleanupPolicy":"compact","partitions":6},{"name":"crm.webhooks.v1","key":"subscriptionId","cleanupPolicy":"delete","partitions":6},{"name":"crm.plans.v1","key":"planId","cleanupPolicy":"delete","partitions":6},{"name":"crm.rule-sets.v1","key":"ruleSet","cleanupPolicy":"delete","partitions":6}];

/** A type guard per event type: `if (isSegmentChangedV1(event)) event.data.segment`. */
export const isCustomerRegisteredV1 = (event: CustomerEvent): event is CustomerEvent<'crm.customer.registered.v1'> => event.type === 'crm.customer.registered.v1';
export const isCustomerUpdatedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.customer.updated.v1'> => event.type === 'crm.customer.updated.v1';
export const isConsentChangedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.consent.changed.v1'> => event.type === 'crm.consent.changed.v1';
export const isCustomerErasedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.customer.erased.v1'> => event.type === 'crm.customer.erased.v1';
export const isPurchaseRecordedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.purchase.recorded.v1'> => event.type === 'crm.purchase.recorded.v1';
export const isPaymentRecordedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.payment.recorded.v1'> => event.type === 'crm.payment.recorded.v1';
export const isPurchaseRefundedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.purchase.refunded.v1'> => event.type === 'crm.purchase.refunded.v1';
export const isCustomerRescoredV1 = (event: CustomerEvent): event is CustomerEvent<'crm.customer.rescored.v1'> => event.type === 'crm.customer.rescored.v1';
export const isLifecycleStageChangedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.lifecycle-stage.changed.v1'> => event.type === 'crm.lifecycle-stage.changed.v1';
export const isSegmentChangedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.segment.changed.v1'> => event.type === 'crm.segment.changed.v1';
export const isSegmentSuspendedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.segment.suspended.v1'> => event.type === 'crm.segment.suspended.v1';
export const isScoringRulesActivatedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.scoring-rules.activated.v1'> => event.type === 'crm.scoring-rules.activated.v1';
export const isStaffNotificationRequestedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.staff-notification.requested.v1'> => event.type === 'crm.staff-notification.requested.v1';
export const isCategoryExclusionsChangedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.category-exclusions.changed.v1'> => event.type === 'crm.category-exclusions.changed.v1';
export const isCareActionTriggeredV1 = (event: CustomerEvent): event is CustomerEvent<'crm.care-action.triggered.v1'> => event.type === 'crm.care-action.triggered.v1';
export const isCareDeliveryFailedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.care.delivery-failed.v1'> => event.type === 'crm.care.delivery-failed.v1';
export const isInteractionLoggedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.interaction.logged.v1'> => event.type === 'crm.interaction.logged.v1';
export const isReferralAttributedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.referral.attributed.v1'> => event.type === 'crm.referral.attributed.v1';
export const isReferralRejectedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.referral.rejected.v1'> => event.type === 'crm.referral.rejected.v1';
export const isReferralQualifiedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.referral.qualified.v1'> => event.type === 'crm.referral.qualified.v1';
export const isRewardGrantedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.reward.granted.v1'> => event.type === 'crm.reward.granted.v1';
export const isRewardClawedBackV1 = (event: CustomerEvent): event is CustomerEvent<'crm.reward.clawed-back.v1'> => event.type === 'crm.reward.clawed-back.v1';
export const isReferralHeldV1 = (event: CustomerEvent): event is CustomerEvent<'crm.referral.held.v1'> => event.type === 'crm.referral.held.v1';
export const isTicketOpenedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.ticket.opened.v1'> => event.type === 'crm.ticket.opened.v1';
export const isSlaWarningV1 = (event: CustomerEvent): event is CustomerEvent<'crm.sla.warning.v1'> => event.type === 'crm.sla.warning.v1';
export const isSlaBreachedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.sla.breached.v1'> => event.type === 'crm.sla.breached.v1';
export const isTicketEscalatedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.ticket.escalated.v1'> => event.type === 'crm.ticket.escalated.v1';
export const isSurveyRequestedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.survey.requested.v1'> => event.type === 'crm.survey.requested.v1';
export const isFeedbackScoredV1 = (event: CustomerEvent): event is CustomerEvent<'crm.feedback.scored.v1'> => event.type === 'crm.feedback.scored.v1';
export const isCustomerStateV1 = (event: CustomerEvent): event is CustomerEvent<'crm.customer-state.snapshot.v1'> => event.type === 'crm.customer-state.snapshot.v1';
export const isWebhookSubscriptionPausedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.webhook-subscription.paused.v1'> => event.type === 'crm.webhook-subscription.paused.v1';
export const isWebhookSubscriptionResumedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.webhook-subscription.resumed.v1'> => event.type === 'crm.webhook-subscription.resumed.v1';
export const isOwnerTaskCreatedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.owner-task.created.v1'> => event.type === 'crm.owner-task.created.v1';
export const isDateTriggerDueV1 = (event: CustomerEvent): event is CustomerEvent<'crm.date-trigger.due.v1'> => event.type === 'crm.date-trigger.due.v1';
export const isTicketRequestedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.ticket.requested.v1'> => event.type === 'crm.ticket.requested.v1';
export const isPointsGrantRequestedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.points.grant-requested.v1'> => event.type === 'crm.points.grant-requested.v1';
export const isPointsChangedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.points.changed.v1'> => event.type === 'crm.points.changed.v1';
export const isMembershipChangedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.membership.changed.v1'> => event.type === 'crm.membership.changed.v1';
export const isChurnRiskChangedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.churn-risk.changed.v1'> => event.type === 'crm.churn-risk.changed.v1';
export const isNeedRecordedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.need.recorded.v1'> => event.type === 'crm.need.recorded.v1';
export const isNeedChangedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.need.changed.v1'> => event.type === 'crm.need.changed.v1';
export const isNeedOverdueV1 = (event: CustomerEvent): event is CustomerEvent<'crm.need.overdue.v1'> => event.type === 'crm.need.overdue.v1';
export const isPlanTaskDelayedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.plan-task.delayed.v1'> => event.type === 'crm.plan-task.delayed.v1';
export const isPlanTaskEscalatedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.plan-task.escalated.v1'> => event.type === 'crm.plan-task.escalated.v1';
export const isTicketResolvedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.ticket.resolved.v1'> => event.type === 'crm.ticket.resolved.v1';
export const isTicketChangedV1 = (event: CustomerEvent): event is CustomerEvent<'crm.ticket.changed.v1'> => event.type === 'crm.ticket.changed.v1';

/** The JSON Schema (2020-12) of each event type, as published in docs/contracts/schemas. */
export const EVENT_SCHEMAS: { readonly [T in EventType]: Record<string, unknown> } = {"crm.customer.registered.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.customer.registered.v1","title":"crm.customer.registered.v1","description":"A customer was registered (sign-up, import or account manager).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"externalRef":{"type":"string","minLength":1,"maxLength":64},"kind":{"type":"string","enum":["person","company"]},"industry":{"anyOf":[{"type":"string","maxLength":120},{"type":"null"}]},"companySize":{"anyOf":[{"type":"string","maxLength":40},{"type":"null"}]},"acquisitionChannel":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"acquisitionCost":{"anyOf":[{"minimum":0,"type":"number"},{"type":"null"}]},"birthdayMonthDay":{"anyOf":[{"type":"string","pattern":"^(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$"},{"type":"null"}]},"registeredAt":{"type":"string","format":"date-time"},"relationshipStartedAt":{"type":"string","format":"date-time"},"referredByCode":{"anyOf":[{"type":"string","minLength":4,"maxLength":32},{"type":"null"}]},"emailHash":{"anyOf":[{"type":"string","pattern":"^[0-9a-f]{64}$"},{"type":"null"}]},"phoneHash":{"anyOf":[{"type":"string","pattern":"^[0-9a-f]{64}$"},{"type":"null"}]},"owner":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"timeZone":{"anyOf":[{"type":"string","minLength":1,"maxLength":64,"pattern":"^[A-Za-z][A-Za-z0-9_+-]*(\\/[A-Za-z0-9_+-]+){0,2}$"},{"type":"null"}]},"locale":{"anyOf":[{"type":"string","enum":["en","zh-CN"]},{"type":"null"}]},"contactFrequency":{"anyOf":[{"type":"string","enum":["normal","reduced"]},{"type":"null"}]},"consents":{"type":"array","items":{"$ref":"#/$defs/ConsentV1"}}},"required":["customerId","externalRef","kind","registeredAt","relationshipStartedAt","consents"],"$defs":{"ConsentV1":{"type":"object","properties":{"channel":{"type":"string","enum":["phone","visit","online","email","sms","app-push","messaging-app","in-app"]},"purpose":{"type":"string","enum":["service","marketing"]},"granted":{"type":"boolean"},"changedAt":{"type":"string","format":"date-time"}},"required":["channel","purpose","granted","changedAt"]}},"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","externalRef":"C2024001","kind":"company","industry":"manufacturing","companySize":"200-500","registeredAt":"2022-05-20T08:00:00.000Z","relationshipStartedAt":"2022-05-20T08:00:00.000Z","emailHash":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","consents":[{"channel":"email","purpose":"marketing","granted":true,"changedAt":"2022-05-20T08:00:00.000Z"}]}]},"crm.customer.updated.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.customer.updated.v1","title":"crm.customer.updated.v1","description":"Profile attributes of a customer changed.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"changedFields":{"minItems":1,"type":"array","items":{"type":"string"}},"industry":{"anyOf":[{"type":"string","maxLength":120},{"type":"null"}]},"companySize":{"anyOf":[{"type":"string","maxLength":40},{"type":"null"}]},"owner":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"timeZone":{"anyOf":[{"type":"string","minLength":1,"maxLength":64,"pattern":"^[A-Za-z][A-Za-z0-9_+-]*(\\/[A-Za-z0-9_+-]+){0,2}$"},{"type":"null"}]},"locale":{"anyOf":[{"type":"string","enum":["en","zh-CN"]},{"type":"null"}]},"contactFrequency":{"anyOf":[{"type":"string","enum":["normal","reduced"]},{"type":"null"}]}},"required":["customerId","changedFields"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","changedFields":["industry","email"],"industry":"manufacturing"}]},"crm.consent.changed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.consent.changed.v1","title":"crm.consent.changed.v1","description":"A customer granted or withdrew consent for a purpose on a channel.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"channel":{"type":"string","enum":["phone","visit","online","email","sms","app-push","messaging-app","in-app"]},"purpose":{"type":"string","enum":["service","marketing"]},"granted":{"type":"boolean"},"changedAt":{"type":"string","format":"date-time"}},"required":["customerId","channel","purpose","granted","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","channel":"email","purpose":"marketing","granted":false,"changedAt":"2024-06-01T10:00:00.000Z"}]},"crm.customer.erased.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.customer.erased.v1","title":"crm.customer.erased.v1","description":"Personal data of a customer was erased (crypto-shredded); purge local copies.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"erasedAt":{"type":"string","format":"date-time"}},"required":["customerId","erasedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","erasedAt":"2024-07-01T00:00:00.000Z"}]},"crm.purchase.recorded.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.purchase.recorded.v1","title":"crm.purchase.recorded.v1","description":"A purchase was recorded for a customer (live or history import).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"orderId":{"type":"string","minLength":1,"maxLength":64},"amount":{"minimum":0,"type":"number","multipleOf":0.01},"currency":{"type":"string","pattern":"^[A-Z]{3}$"},"occurredAt":{"type":"string","format":"date-time"},"firstPurchase":{"type":"boolean"},"items":{"maxItems":500,"type":"array","items":{"$ref":"#/$defs/PurchaseItemV1"}},"aggregates":{"$ref":"#/$defs/PurchaseAggregatesV1"},"paymentDueAt":{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]},"warrantyUntil":{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]}},"required":["customerId","orderId","amount","currency","occurredAt","firstPurchase","items","aggregates"],"$defs":{"PurchaseAggregatesV1":{"type":"object","properties":{"lifetimeSpend":{"type":"number","multipleOf":0.01},"trailing12mSpend":{"type":"number","multipleOf":0.01},"trailing12mPurchaseCount":{"minimum":0,"type":"integer"},"lifetimePurchaseCount":{"minimum":1,"type":"integer"},"firstPurchaseAt":{"type":"string","format":"date-time"},"lastPurchaseAt":{"type":"string","format":"date-time"}},"required":["lifetimeSpend","trailing12mSpend","trailing12mPurchaseCount","lifetimePurchaseCount","firstPurchaseAt","lastPurchaseAt"]},"PurchaseItemV1":{"type":"object","properties":{"sku":{"type":"string","minLength":1,"maxLength":64},"category":{"type":"string","minLength":1,"maxLength":64},"quantity":{"minimum":1,"type":"integer"},"unitPrice":{"minimum":0,"type":"number","multipleOf":0.01}},"required":["sku","category","quantity","unitPrice"]}},"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","orderId":"SO-2024-0001","amount":120000,"currency":"EUR","occurredAt":"2024-05-20T09:30:00.000Z","firstPurchase":false,"items":[{"sku":"PUMP-200","category":"pumps","quantity":4,"unitPrice":30000}],"aggregates":{"lifetimeSpend":5000000,"trailing12mSpend":420000,"trailing12mPurchaseCount":6,"lifetimePurchaseCount":31,"firstPurchaseAt":"2022-05-20T09:30:00.000Z","lastPurchaseAt":"2024-05-20T09:30:00.000Z"}}]},"crm.payment.recorded.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.payment.recorded.v1","title":"crm.payment.recorded.v1","description":"A payment was recorded against an order (in part or in full).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"orderId":{"type":"string","minLength":1,"maxLength":64},"paymentId":{"type":"string","minLength":1,"maxLength":64},"amount":{"minimum":0,"type":"number","multipleOf":0.01},"currency":{"type":"string","pattern":"^[A-Z]{3}$"},"paidAt":{"type":"string","format":"date-time"},"paidInFull":{"type":"boolean"}},"required":["customerId","orderId","paymentId","amount","currency","paidAt","paidInFull"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","orderId":"SO-2024-0001","paymentId":"PAY-2024-0001","amount":120000,"currency":"EUR","paidAt":"2024-06-15T10:00:00.000Z","paidInFull":true}]},"crm.purchase.refunded.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.purchase.refunded.v1","title":"crm.purchase.refunded.v1","description":"A purchase was refunded in part or in full; scores and aggregates are net of it, and it is a service moment.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"orderId":{"type":"string","minLength":1,"maxLength":64},"refundId":{"type":"string","minLength":1,"maxLength":64},"amount":{"minimum":0,"type":"number","multipleOf":0.01},"currency":{"type":"string","pattern":"^[A-Z]{3}$"},"reason":{"type":"string","enum":["returned","defective","goodwill","cancelled","other"]},"refundedOnOrder":{"minimum":0,"type":"number","multipleOf":0.01},"orderAmount":{"minimum":0,"type":"number","multipleOf":0.01},"fullyRefunded":{"type":"boolean"},"orderOccurredAt":{"type":"string","format":"date-time"},"refundedAt":{"type":"string","format":"date-time"},"lifetimeSpend":{"type":"number","multipleOf":0.01}},"required":["customerId","orderId","refundId","amount","currency","reason","refundedOnOrder","orderAmount","fullyRefunded","orderOccurredAt","refundedAt","lifetimeSpend"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","orderId":"SO-2024-0001","refundId":"RF-2024-0001","amount":30000,"currency":"EUR","reason":"returned","refundedOnOrder":30000,"orderAmount":120000,"fullyRefunded":false,"orderOccurredAt":"2024-05-20T09:30:00.000Z","refundedAt":"2024-05-27T11:00:00.000Z","lifetimeSpend":4970000}]},"crm.customer.rescored.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.customer.rescored.v1","title":"crm.customer.rescored.v1","description":"RFM scores, value tier, value-loyalty segment, membership level, stage or tags changed.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"current":{"$ref":"#/$defs/CustomerClassificationV1"},"previous":{"anyOf":[{"$ref":"#/$defs/CustomerClassificationV1"},{"type":"null"}]},"changed":{"type":"array","items":{"type":"string"}},"causedByEventId":{"anyOf":[{"type":"string"},{"type":"null"}]},"sweepRunId":{"anyOf":[{"type":"string"},{"type":"null"}]},"rulesVersion":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"scoredAt":{"type":"string","format":"date-time"}},"required":["customerId","current","changed","scoredAt"],"$defs":{"CustomerClassificationV1":{"type":"object","properties":{"rfm":{"$ref":"#/$defs/RfmScoreV1"},"valueTier":{"type":"string","enum":["high-value","potential","stable","silent"]},"valueLoyaltySegment":{"type":"string","enum":["core","potential","general","churn-warning"]},"membershipLevel":{"type":"string","enum":["gold","silver","bronze"]},"lifecycleStage":{"type":"string","enum":["acquisition","growth","maturity","decline","churned"]},"tags":{"type":"array","items":{"type":"string"}}},"required":["rfm","valueTier","valueLoyaltySegment","membershipLevel","lifecycleStage","tags"]},"RfmScoreV1":{"type":"object","properties":{"recency":{"maximum":5,"minimum":1,"type":"integer"},"frequency":{"maximum":5,"minimum":1,"type":"integer"},"monetary":{"maximum":5,"minimum":1,"type":"integer"}},"required":["recency","frequency","monetary"]}},"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","current":{"rfm":{"recency":5,"frequency":4,"monetary":5},"valueTier":"high-value","valueLoyaltySegment":"core","membershipLevel":"gold","lifecycleStage":"maturity","tags":["aov:high","freq:high","active","category:pumps"]},"previous":{"rfm":{"recency":5,"frequency":4,"monetary":5},"valueTier":"potential","valueLoyaltySegment":"potential","membershipLevel":"gold","lifecycleStage":"maturity","tags":["aov:high","freq:high","active","category:pumps"]},"changed":["valueTier","valueLoyaltySegment"],"rulesVersion":"2024.06","causedByEventId":"0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10","scoredAt":"2024-05-20T09:30:01.000Z"}]},"crm.lifecycle-stage.changed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.lifecycle-stage.changed.v1","title":"crm.lifecycle-stage.changed.v1","description":"A customer moved to another relationship stage (by an event or by the passing of time).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"previousStage":{"anyOf":[{"type":"string","enum":["acquisition","growth","maturity","decline","churned"]},{"type":"null"}]},"stage":{"type":"string","enum":["acquisition","growth","maturity","decline","churned"]},"reactivated":{"type":"boolean"},"causedByEventId":{"anyOf":[{"type":"string"},{"type":"null"}]},"sweepRunId":{"anyOf":[{"type":"string"},{"type":"null"}]},"rulesVersion":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"changedAt":{"type":"string","format":"date-time"}},"required":["customerId","stage","reactivated","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","previousStage":"growth","stage":"maturity","reactivated":false,"causedByEventId":"0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10","changedAt":"2024-05-20T09:30:01.000Z"}]},"crm.segment.changed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.segment.changed.v1","title":"crm.segment.changed.v1","description":"A customer entered or exited a segment, with the event or sweep that caused it.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"segmentSet":{"type":"string","minLength":1,"maxLength":64},"segment":{"type":"string","minLength":1,"maxLength":64},"change":{"type":"string","enum":["entered","exited"]},"counterpart":{"anyOf":[{"type":"string"},{"type":"null"}]},"causedByEventId":{"anyOf":[{"type":"string"},{"type":"null"}]},"sweepRunId":{"anyOf":[{"type":"string"},{"type":"null"}]},"rulesVersion":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"changedAt":{"type":"string","format":"date-time"}},"required":["customerId","segmentSet","segment","change","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","segmentSet":"value-loyalty","segment":"core","change":"entered","counterpart":"potential","causedByEventId":"0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10","changedAt":"2024-05-20T09:30:01.000Z"}]},"crm.segment.suspended.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.segment.suspended.v1","title":"crm.segment.suspended.v1","description":"A segment was suspended because its evaluation failed or timed out; other segments and events carry on.","type":"object","properties":{"segmentId":{"type":"string","pattern":"^[a-z0-9][a-z0-9-]{0,63}$"},"version":{"minimum":1,"type":"integer"},"reason":{"type":"string","minLength":1,"maxLength":2000},"suspendedAt":{"type":"string","format":"date-time"}},"required":["segmentId","version","reason","suspendedAt"],"examples":[{"segmentId":"big-spenders","version":3,"reason":"canceling statement due to statement timeout","suspendedAt":"2024-05-20T09:30:01.000Z"}]},"crm.scoring-rules.activated.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.scoring-rules.activated.v1","title":"crm.scoring-rules.activated.v1","description":"A scoring rule-set version became active (or was rolled back to); from now on scores and scoring events carry it.","type":"object","properties":{"ruleSet":{"type":"string","enum":["scoring"]},"version":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},"previousVersion":{"anyOf":[{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},{"type":"null"}]},"action":{"type":"string","enum":["activated","rolled-back"]},"actor":{"type":"string","minLength":1,"maxLength":200},"reason":{"anyOf":[{"type":"string","maxLength":500},{"type":"null"}]},"sweepRunId":{"anyOf":[{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},{"type":"null"}]},"activatedAt":{"type":"string","format":"date-time"}},"required":["ruleSet","version","action","actor","activatedAt"],"examples":[{"ruleSet":"scoring","version":"2025.01","previousVersion":"2024.06","action":"activated","actor":"admin-7","reason":"high-value threshold raised to 60,000","sweepRunId":"3b8f0b1e-6a53-4d2e-9c3e-2f1f2c6f9a10","activatedAt":"2025-01-02T08:00:00.000Z"}]},"crm.staff-notification.requested.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.staff-notification.requested.v1","title":"crm.staff-notification.requested.v1","description":"An escalation step routed to a person (owner, team lead, executive on call); growth-campaigns delivers it as a service message.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"notificationId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"staffId":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"},"role":{"type":"string","enum":["owner","team-lead","executive-on-call"]},"step":{"type":"string","enum":["warning","breach","executive"]},"teamId":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"policy":{"type":"string","minLength":1,"maxLength":64},"reason":{"type":"string","minLength":1,"maxLength":200},"dueAt":{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]},"requestedAt":{"type":"string","format":"date-time"}},"required":["customerId","ticketId","notificationId","staffId","role","step","policy","reason","requestedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","ticketId":"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a","notificationId":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","staffId":"lead-care-north","role":"team-lead","step":"breach","teamId":"care-north","policy":"complaint-standard","reason":"resolution deadline breached","dueAt":"2024-05-21T09:00:00.000Z","requestedAt":"2024-05-21T09:00:01.000Z"}]},"crm.category-exclusions.changed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.category-exclusions.changed.v1","title":"crm.category-exclusions.changed.v1","description":"A customer's excluded categories changed (a complaint about a category, a dismissed offer, an account manager). Targeting must respect them.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"excludedCategories":{"maxItems":200,"type":"array","items":{"type":"string"}},"reason":{"type":"string","enum":["complaint","dismissal","account-manager"]},"causedByEventId":{"anyOf":[{"type":"string","minLength":1,"maxLength":100},{"type":"null"}]},"changedAt":{"type":"string","format":"date-time"}},"required":["customerId","excludedCategories","reason","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","excludedCategories":["valves"],"reason":"complaint","causedByEventId":"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a","changedAt":"2024-05-20T09:30:01.000Z"}]},"crm.care-action.triggered.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.care-action.triggered.v1","title":"crm.care-action.triggered.v1","description":"A playbook triggered a care or growth action for a customer (after consent and cap checks).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"careActionId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"playbook":{"type":"string","minLength":1,"maxLength":64},"action":{"type":"string","minLength":1,"maxLength":64},"purpose":{"type":"string","enum":["service","marketing"]},"channel":{"type":"string","enum":["phone","visit","online","email","sms","app-push","messaging-app","in-app"]},"idempotencyKey":{"type":"string","minLength":1,"maxLength":200},"contactDueAt":{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]},"triggeredByEventId":{"type":"string"},"template":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"variant":{"anyOf":[{"type":"string","minLength":1,"maxLength":32},{"type":"null"}]},"locale":{"anyOf":[{"type":"string","enum":["en","zh-CN"]},{"type":"null"}]},"sendAfter":{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]},"triggeredAt":{"type":"string","format":"date-time"}},"required":["customerId","careActionId","playbook","action","purpose","channel","idempotencyKey","triggeredByEventId","triggeredAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","careActionId":"1d6f7a3e-2b9c-4c1d-9f8e-5a4b3c2d1e0f","playbook":"exclusive-advisor","action":"assign-exclusive-advisor","purpose":"service","channel":"phone","idempotencyKey":"exclusive-advisor:0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10","triggeredByEventId":"0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10","triggeredAt":"2024-05-20T09:30:02.000Z"}]},"crm.care.delivery-failed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.care.delivery-failed.v1","title":"crm.care.delivery-failed.v1","description":"A care touch was given up after retrying with backoff for its maximum age; someone must reach the customer another way.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"careActionId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"action":{"type":"string","minLength":1,"maxLength":64},"purpose":{"type":"string","enum":["service","marketing"]},"channel":{"type":"string","enum":["phone","visit","online","email","sms","app-push","messaging-app","in-app"]},"idempotencyKey":{"type":"string","minLength":1,"maxLength":200},"attempts":{"minimum":1,"type":"integer"},"reason":{"type":"string","minLength":1,"maxLength":2000},"triggeredAt":{"type":"string","format":"date-time"},"failedAt":{"type":"string","format":"date-time"}},"required":["customerId","careActionId","action","purpose","channel","idempotencyKey","attempts","reason","triggeredAt","failedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","careActionId":"1d6f7a3e-2b9c-4c1d-9f8e-5a4b3c2d1e0f","action":"welcome-call","purpose":"service","channel":"phone","idempotencyKey":"welcome:0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10","attempts":14,"reason":"webhook answered 503","triggeredAt":"2024-05-20T09:30:02.000Z","failedAt":"2024-05-21T09:30:02.000Z"}]},"crm.interaction.logged.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.interaction.logged.v1","title":"crm.interaction.logged.v1","description":"An interaction with a customer was logged (by an agent or automatically).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"interactionId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"occurredAt":{"type":"string","format":"date-time"},"channel":{"type":"string","enum":["phone","visit","online","email","sms","app-push","messaging-app","in-app"]},"direction":{"type":"string","enum":["inbound","outbound"]},"automated":{"type":"boolean"},"status":{"type":"string","enum":["done","in-progress","pending"]},"careActionId":{"anyOf":[{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},{"type":"null"}]},"owner":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"followUpDueAt":{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]}},"required":["customerId","interactionId","occurredAt","channel","direction","automated","status"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","interactionId":"7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f","occurredAt":"2024-05-10T10:00:00.000Z","channel":"visit","direction":"outbound","automated":false,"status":"in-progress","owner":"am-042"}]},"crm.referral.attributed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.referral.attributed.v1","title":"crm.referral.attributed.v1","description":"A new customer signed up with a referral code.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"referralId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"referrerCustomerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"code":{"type":"string","minLength":4,"maxLength":32},"attributedAt":{"type":"string","format":"date-time"}},"required":["customerId","referralId","referrerCustomerId","code","attributedAt"],"examples":[{"customerId":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","referralId":"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","referrerCustomerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","code":"K7Q2M9XA","attributedAt":"2024-05-21T08:00:00.000Z"}]},"crm.referral.rejected.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.referral.rejected.v1","title":"crm.referral.rejected.v1","description":"A referral code at sign-up was not accepted, with the reason.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"code":{"type":"string","minLength":4,"maxLength":32},"reason":{"type":"string","enum":["self-referral","unknown-code","already-referred"]},"rejectedAt":{"type":"string","format":"date-time"}},"required":["customerId","code","reason","rejectedAt"],"examples":[{"customerId":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","code":"K7Q2M9XA","reason":"self-referral","rejectedAt":"2024-05-21T08:00:00.000Z"}]},"crm.referral.qualified.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.referral.qualified.v1","title":"crm.referral.qualified.v1","description":"The referee's first purchase qualified the referral.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"referralId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"referrerCustomerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"qualifyingOrderId":{"type":"string"},"qualifiedAt":{"type":"string","format":"date-time"}},"required":["customerId","referralId","referrerCustomerId","qualifyingOrderId","qualifiedAt"],"examples":[{"customerId":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","referralId":"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","referrerCustomerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","qualifyingOrderId":"SO-2024-0100","qualifiedAt":"2024-05-22T08:00:00.000Z"}]},"crm.reward.granted.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.reward.granted.v1","title":"crm.reward.granted.v1","description":"A referral reward was credited to a customer (exactly once per referral and role).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"rewardId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"referralId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"role":{"type":"string","enum":["referrer","referee"]},"points":{"minimum":1,"type":"integer"},"idempotencyKey":{"type":"string","minLength":1,"maxLength":200},"grantedAt":{"type":"string","format":"date-time"}},"required":["customerId","rewardId","referralId","role","points","idempotencyKey","grantedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","rewardId":"3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f","referralId":"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","role":"referrer","points":750,"idempotencyKey":"referral:2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e:referrer","grantedAt":"2024-05-22T08:00:00.000Z"}]},"crm.reward.clawed-back.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.reward.clawed-back.v1","title":"crm.reward.clawed-back.v1","description":"A referral reward was clawed back because the referee's qualifying order was fully refunded within the return window; a shortfall records what was already spent.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"rewardId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"referralId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"role":{"type":"string","enum":["referrer","referee"]},"points":{"minimum":1,"type":"integer"},"recovered":{"minimum":0,"type":"integer"},"shortfall":{"minimum":0,"type":"integer"},"orderId":{"type":"string","minLength":1,"maxLength":64},"reason":{"type":"string","enum":["qualifying-order-refunded"]},"clawedBackAt":{"type":"string","format":"date-time"}},"required":["customerId","rewardId","referralId","role","points","recovered","shortfall","orderId","reason","clawedBackAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","rewardId":"3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f","referralId":"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","role":"referrer","points":750,"recovered":500,"shortfall":250,"orderId":"SO-2024-0002","reason":"qualifying-order-refunded","clawedBackAt":"2024-06-01T08:00:00.000Z"}]},"crm.referral.held.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.referral.held.v1","title":"crm.referral.held.v1","description":"A qualified referral was held for review (referral velocity, or a contact shared with another recent referee): no reward until an admin releases it.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"referralId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"referrerCustomerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"reason":{"type":"string","enum":["referrer-velocity","shared-contact"]},"heldAt":{"type":"string","format":"date-time"}},"required":["customerId","referralId","referrerCustomerId","reason","heldAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","referralId":"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","referrerCustomerId":"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d","reason":"referrer-velocity","heldAt":"2024-05-22T08:00:00.000Z"}]},"crm.ticket.opened.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.ticket.opened.v1","title":"crm.ticket.opened.v1","description":"A ticket (consultation, fault, complaint, suggestion) was opened with its SLA deadlines.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketType":{"type":"string","enum":["consultation","fault","complaint","suggestion","follow-up"]},"priority":{"type":"string","enum":["low","normal","high","urgent"]},"policy":{"type":"string","minLength":1,"maxLength":64},"firstResponseDueAt":{"type":"string","format":"date-time"},"resolutionDueAt":{"type":"string","format":"date-time"},"openedAt":{"type":"string","format":"date-time"},"surveyId":{"anyOf":[{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},{"type":"null"}]},"category":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]}},"required":["customerId","ticketId","ticketType","priority","policy","firstResponseDueAt","resolutionDueAt","openedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","ticketId":"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a","ticketType":"complaint","priority":"high","policy":"complaint","firstResponseDueAt":"2024-05-20T10:00:00.000Z","resolutionDueAt":"2024-05-23T09:30:00.000Z","openedAt":"2024-05-20T09:30:00.000Z"}]},"crm.sla.warning.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.sla.warning.v1","title":"crm.sla.warning.v1","description":"A ticket deadline is near: its warning share of the target is used. Once per ticket and metric.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"metric":{"type":"string","enum":["first-response","next-response","resolution"]},"policy":{"type":"string","minLength":1,"maxLength":64},"share":{"maximum":1,"minimum":0,"type":"number"},"dueAt":{"type":"string","format":"date-time"},"warnedAt":{"type":"string","format":"date-time"}},"required":["customerId","ticketId","metric","policy","share","dueAt","warnedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","ticketId":"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a","metric":"first-response","policy":"complaint","share":0.75,"dueAt":"2024-05-20T10:00:00.000Z","warnedAt":"2024-05-20T09:52:30.104Z"}]},"crm.sla.breached.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.sla.breached.v1","title":"crm.sla.breached.v1","description":"A ticket deadline passed unmet. Emitted exactly once per ticket and metric.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"metric":{"type":"string","enum":["first-response","next-response","resolution"]},"policy":{"type":"string","minLength":1,"maxLength":64},"dueAt":{"type":"string","format":"date-time"},"breachedAt":{"type":"string","format":"date-time"}},"required":["customerId","ticketId","metric","policy","dueAt","breachedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","ticketId":"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a","metric":"first-response","policy":"complaint","dueAt":"2024-05-20T10:00:00.000Z","breachedAt":"2024-05-20T10:00:00.412Z"}]},"crm.ticket.escalated.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.ticket.escalated.v1","title":"crm.ticket.escalated.v1","description":"A ticket moved up the escalation path front line → department → executive. Once per ticket and level.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"level":{"type":"string","enum":["front-line","department","executive"]},"previousLevel":{"type":"string","enum":["front-line","department","executive"]},"policy":{"type":"string","minLength":1,"maxLength":64},"reason":{"type":"string","minLength":1,"maxLength":200},"escalatedAt":{"type":"string","format":"date-time"}},"required":["customerId","ticketId","level","previousLevel","policy","reason","escalatedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","ticketId":"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a","level":"department","previousLevel":"front-line","policy":"complaint","reason":"first-response deadline breached","escalatedAt":"2024-05-20T10:00:00.412Z"}]},"crm.survey.requested.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.survey.requested.v1","title":"crm.survey.requested.v1","description":"A satisfaction survey was scheduled (after a purchase or a resolved ticket). Never combined with marketing.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"surveyId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"kind":{"type":"string","enum":["csat","nps"]},"orderId":{"anyOf":[{"type":"string"},{"type":"null"}]},"ticketId":{"anyOf":[{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},{"type":"null"}]},"requestedAt":{"type":"string","format":"date-time"}},"required":["customerId","surveyId","kind","requestedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","surveyId":"5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b","kind":"csat","orderId":"SO-2024-0001","requestedAt":"2024-05-20T09:30:02.000Z"}]},"crm.feedback.scored.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.feedback.scored.v1","title":"crm.feedback.scored.v1","description":"A customer answered a CSAT (1-5) or NPS (0-10) survey; a detractor or CSAT of at most 2 carries the follow-up ticket.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"surveyId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"kind":{"type":"string","enum":["csat","nps"]},"score":{"maximum":10,"minimum":0,"type":"integer"},"sentiment":{"type":"string","enum":["promoter","passive","detractor","satisfied","neutral","dissatisfied"]},"answeredAt":{"type":"string","format":"date-time"},"followUpTicketId":{"anyOf":[{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},{"type":"null"}]},"lowItems":{"anyOf":[{"maxItems":20,"type":"array","items":{"type":"string"}},{"type":"null"}]},"commented":{"anyOf":[{"type":"boolean"},{"type":"null"}]}},"required":["customerId","surveyId","kind","score","sentiment","answeredAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","surveyId":"5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b","kind":"nps","score":4,"sentiment":"detractor","answeredAt":"2024-05-25T09:00:00.000Z","followUpTicketId":"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"}]},"crm.customer-state.snapshot.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.customer-state.snapshot.v1","title":"crm.customer-state.snapshot.v1","description":"A customer's latest non-personal state (tier, segments, level, stage, tags, consents); null value on erasure.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"revision":{"minimum":1,"type":"integer"},"valueTier":{"anyOf":[{"type":"string","enum":["high-value","potential","stable","silent"]},{"type":"null"}]},"valueLoyaltySegment":{"anyOf":[{"type":"string","enum":["core","potential","general","churn-warning"]},{"type":"null"}]},"membershipLevel":{"anyOf":[{"type":"string","enum":["gold","silver","bronze"]},{"type":"null"}]},"lifecycleStage":{"anyOf":[{"type":"string","enum":["acquisition","growth","maturity","decline","churned"]},{"type":"null"}]},"tags":{"type":"array","items":{"type":"string"}},"customSegments":{"type":"array","items":{"type":"string"}},"consents":{"type":"array","items":{"$ref":"#/$defs/ConsentFlagV1"}},"updatedAt":{"type":"string","format":"date-time"}},"required":["customerId","revision","tags","customSegments","consents","updatedAt"],"$defs":{"ConsentFlagV1":{"type":"object","properties":{"channel":{"type":"string","enum":["phone","visit","online","email","sms","app-push","messaging-app","in-app"]},"purpose":{"type":"string","enum":["service","marketing"]},"granted":{"type":"boolean"}},"required":["channel","purpose","granted"]}},"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","revision":7,"valueTier":"high-value","valueLoyaltySegment":"core","membershipLevel":"gold","lifecycleStage":"maturity","tags":["active","aov:high","freq:high"],"customSegments":["vip-pumps"],"consents":[{"channel":"email","purpose":"marketing","granted":true}],"updatedAt":"2024-05-20T09:30:01.000Z"}]},"crm.webhook-subscription.paused.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.webhook-subscription.paused.v1","title":"crm.webhook-subscription.paused.v1","description":"A webhook subscription was paused after its endpoint failed too many times in a row.","type":"object","properties":{"subscriptionId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"name":{"type":"string","minLength":1,"maxLength":120},"consecutiveFailures":{"minimum":1,"type":"integer"},"lastError":{"type":"string","minLength":1,"maxLength":500},"pendingDeliveries":{"minimum":0,"type":"integer"},"pausedAt":{"type":"string","format":"date-time"}},"required":["subscriptionId","name","consecutiveFailures","lastError","pendingDeliveries","pausedAt"],"examples":[{"subscriptionId":"2c7d9a3e-5b1f-4e8a-9c6d-0f1e2d3c4b5a","name":"loyalty-app","consecutiveFailures":10,"lastError":"HTTP 503","pendingDeliveries":42,"pausedAt":"2024-05-20T09:30:01.000Z"}]},"crm.webhook-subscription.resumed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.webhook-subscription.resumed.v1","title":"crm.webhook-subscription.resumed.v1","description":"A paused webhook subscription was resumed.","type":"object","properties":{"subscriptionId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"name":{"type":"string","minLength":1,"maxLength":120},"resumedBy":{"anyOf":[{"type":"string","minLength":1,"maxLength":120},{"type":"null"}]},"pendingDeliveries":{"minimum":0,"type":"integer"},"resumedAt":{"type":"string","format":"date-time"}},"required":["subscriptionId","name","pendingDeliveries","resumedAt"],"examples":[{"subscriptionId":"2c7d9a3e-5b1f-4e8a-9c6d-0f1e2d3c4b5a","name":"loyalty-app","resumedBy":"integration-loyalty","pendingDeliveries":42,"resumedAt":"2024-05-20T10:00:00.000Z"}]},"crm.owner-task.created.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.owner-task.created.v1","title":"crm.owner-task.created.v1","description":"A task was put in the customer owner's queue: a missed cadence, an overdue follow-up or an unmet contact deadline.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"taskId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"kind":{"type":"string","enum":["cadence-missed","follow-up-overdue","contact-overdue","journey-task","need-overdue"]},"owner":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"detail":{"type":"string","minLength":1,"maxLength":200},"dueAt":{"type":"string","format":"date-time"},"createdAt":{"type":"string","format":"date-time"}},"required":["customerId","taskId","kind","detail","dueAt","createdAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","taskId":"3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a","kind":"cadence-missed","owner":"am-042","detail":"value-loyalty:core: no interaction in 15 days","dueAt":"2024-06-04T09:30:00.000Z","createdAt":"2024-06-04T09:30:01.000Z"}]},"crm.date-trigger.due.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.date-trigger.due.v1","title":"crm.date-trigger.due.v1","description":"A customer's date came due (birthday or membership anniversary ahead, days since registration, days without a purchase).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"trigger":{"type":"string","enum":["birthday","membership-anniversary","days-since-registration","days-without-purchase","payment-due","warranty-expiry"]},"occursAt":{"type":"string","format":"date-time"},"dueAt":{"type":"string","format":"date-time"},"detail":{"type":"string","minLength":1,"maxLength":200},"orderId":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]}},"required":["customerId","trigger","occursAt","dueAt","detail"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","trigger":"birthday","occursAt":"2026-05-19T16:00:00.000Z","dueAt":"2026-05-18T16:00:00.000Z","detail":"birthday on 05-20 (Asia/Shanghai), 24 h notice"}]},"crm.ticket.requested.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.ticket.requested.v1","title":"crm.ticket.requested.v1","description":"A journey asked for a ticket (a consultation, follow-up or suggestion); feedback-sla opens it.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"requestId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketType":{"type":"string","enum":["consultation","follow-up","suggestion"]},"priority":{"type":"string","enum":["low","normal","high","urgent"]},"subject":{"type":"string","minLength":1,"maxLength":200},"owner":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"requestedBy":{"type":"string","minLength":1,"maxLength":80}},"required":["customerId","requestId","ticketType","priority","subject","requestedBy"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","requestId":"8e7d6c5b-4a39-4281-9706-f5e4d3c2b1a0","ticketType":"follow-up","priority":"normal","subject":"win-back: call about the offer","owner":"am-042","requestedBy":"journey:win-back"}]},"crm.points.grant-requested.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.points.grant-requested.v1","title":"crm.points.grant-requested.v1","description":"A journey granted care points; referral's points ledger credits them (once per request).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"requestId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"points":{"maximum":1000000,"minimum":1,"type":"integer"},"reason":{"type":"string","minLength":1,"maxLength":200},"requestedBy":{"type":"string","minLength":1,"maxLength":80}},"required":["customerId","requestId","points","reason","requestedBy"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","requestId":"5d4c3b2a-1908-4f7e-8d6c-5b4a39281706","points":100,"reason":"welcome: first purchase bonus","requestedBy":"journey:welcome"}]},"crm.points.changed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.points.changed.v1","title":"crm.points.changed.v1","description":"A customer's care points moved: earned (a purchase, a survey answer, a referral, an activity, a journey), redeemed for a benefit, or expired.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"entryId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"movement":{"type":"string","enum":["earned","redeemed","expired","clawed-back"]},"points":{"minimum":1,"type":"integer"},"balance":{"minimum":0,"type":"integer"},"source":{"anyOf":[{"type":"string","enum":["purchase","survey","referral","activity","journey"]},{"type":"null"}]},"reason":{"anyOf":[{"type":"string","minLength":1,"maxLength":200},{"type":"null"}]},"idempotencyKey":{"type":"string","minLength":1,"maxLength":200},"expiresAt":{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]},"occurredAt":{"type":"string","format":"date-time"}},"required":["customerId","entryId","movement","points","balance","idempotencyKey","occurredAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","entryId":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","movement":"earned","points":1100,"balance":1850,"source":"purchase","reason":"order SO-2024-0100","idempotencyKey":"purchase:SO-2024-0100","expiresAt":"2025-05-22T08:00:00.000Z","occurredAt":"2024-05-22T08:00:00.000Z"}]},"crm.membership.changed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.membership.changed.v1","title":"crm.membership.changed.v1","description":"A customer's membership level (gold, silver, bronze) changed, with the new level's privileges.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"level":{"type":"string","enum":["gold","silver","bronze"]},"previousLevel":{"type":"string","enum":["gold","silver","bronze"]},"direction":{"type":"string","enum":["up","down"]},"privileges":{"maxItems":20,"type":"array","items":{"type":"string","minLength":1,"maxLength":200}},"causedByEventId":{"anyOf":[{"type":"string"},{"type":"null"}]},"sweepRunId":{"anyOf":[{"type":"string"},{"type":"null"}]},"rulesVersion":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"changedAt":{"type":"string","format":"date-time"}},"required":["customerId","level","previousLevel","direction","privileges","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","level":"gold","previousLevel":"silver","direction":"up","privileges":["a dedicated account manager","first response within 1 hour","a birthday gift"],"causedByEventId":"0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10","changedAt":"2024-05-20T09:30:01.000Z"}]},"crm.churn-risk.changed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.churn-risk.changed.v1","title":"crm.churn-risk.changed.v1","description":"A customer's churn risk crossed the alert threshold (level high), or fell back below it (level normal); falling interaction frequency counts toward it.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"level":{"type":"string","enum":["high","normal"]},"churnRisk":{"maximum":1,"minimum":0,"type":"number"},"purchaseRisk":{"maximum":1,"minimum":0,"type":"number"},"interactionDecline":{"maximum":1,"minimum":0,"type":"number"},"interactionsRecent":{"minimum":0,"type":"integer"},"interactionsBefore":{"minimum":0,"type":"integer"},"threshold":{"maximum":1,"minimum":0,"type":"number"},"rulesVersion":{"type":"string","minLength":1,"maxLength":64},"causedByEventId":{"anyOf":[{"type":"string"},{"type":"null"}]},"sweepRunId":{"anyOf":[{"type":"string"},{"type":"null"}]},"changedAt":{"type":"string","format":"date-time"}},"required":["customerId","level","churnRisk","purchaseRisk","interactionDecline","interactionsRecent","interactionsBefore","threshold","rulesVersion","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","level":"high","churnRisk":0.64,"purchaseRisk":0.4,"interactionDecline":0.8,"interactionsRecent":1,"interactionsBefore":5,"threshold":0.6,"rulesVersion":"2024.06","sweepRunId":"sweep-2024-06-04","changedAt":"2024-06-04T02:00:00.000Z"}]},"crm.need.recorded.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.need.recorded.v1","title":"crm.need.recorded.v1","description":"A need was added to the customer's needs register (type, priority, owner, due date).","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"needId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"type":{"type":"string","enum":["product","service","price","support","other"]},"priority":{"type":"string","enum":["high","medium","low"]},"owner":{"type":"string","minLength":1,"maxLength":64},"dueAt":{"type":"string","format":"date-time"},"status":{"type":"string","enum":["open","in-progress","solved","cancelled"]},"customerConfirmed":{"type":"boolean"},"changedAt":{"type":"string","format":"date-time"}},"required":["customerId","needId","type","priority","owner","dueAt","status","customerConfirmed","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","needId":"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","type":"support","priority":"high","owner":"am-042","dueAt":"2024-06-14T17:00:00.000Z","status":"open","customerConfirmed":false,"changedAt":"2024-06-01T09:00:00.000Z"}]},"crm.need.changed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.need.changed.v1","title":"crm.need.changed.v1","description":"A need in the register changed: its status (solved, cancelled, …), priority, owner, due date or the customer confirming the solution.","type":"object","properties":{"changed":{"maxItems":5,"type":"array","items":{"type":"string","enum":["status","priority","owner","due-date","confirmation"]}},"previousStatus":{"anyOf":[{"type":"string","enum":["open","in-progress","solved","cancelled"]},{"type":"null"}]},"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"needId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"type":{"type":"string","enum":["product","service","price","support","other"]},"priority":{"type":"string","enum":["high","medium","low"]},"owner":{"type":"string","minLength":1,"maxLength":64},"dueAt":{"type":"string","format":"date-time"},"status":{"type":"string","enum":["open","in-progress","solved","cancelled"]},"customerConfirmed":{"type":"boolean"},"changedAt":{"type":"string","format":"date-time"}},"required":["changed","customerId","needId","type","priority","owner","dueAt","status","customerConfirmed","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","needId":"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","type":"support","priority":"high","owner":"am-042","dueAt":"2024-06-14T17:00:00.000Z","status":"solved","customerConfirmed":true,"changedAt":"2024-06-01T09:00:00.000Z","changed":["status","confirmation"]}]},"crm.need.overdue.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.need.overdue.v1","title":"crm.need.overdue.v1","description":"A need passed its due date unsolved: growth-campaigns puts a task in its owner's queue (kind need-overdue).","type":"object","properties":{"overdueAt":{"type":"string","format":"date-time"},"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"needId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"type":{"type":"string","enum":["product","service","price","support","other"]},"priority":{"type":"string","enum":["high","medium","low"]},"owner":{"type":"string","minLength":1,"maxLength":64},"dueAt":{"type":"string","format":"date-time"},"status":{"type":"string","enum":["open","in-progress","solved","cancelled"]},"customerConfirmed":{"type":"boolean"},"changedAt":{"type":"string","format":"date-time"}},"required":["overdueAt","customerId","needId","type","priority","owner","dueAt","status","customerConfirmed","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","needId":"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","type":"support","priority":"high","owner":"am-042","dueAt":"2024-06-14T17:00:00.000Z","status":"open","customerConfirmed":false,"changedAt":"2024-06-01T09:00:00.000Z","overdueAt":"2024-06-14T17:00:00.000Z"}]},"crm.plan-task.delayed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.plan-task.delayed.v1","title":"crm.plan-task.delayed.v1","description":"A plan task had no progress for two weeks: it is flagged delayed and is first in its owner's queue.","type":"object","properties":{"daysWithoutProgress":{"minimum":1,"type":"integer"},"delayedAt":{"type":"string","format":"date-time"},"planId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"taskId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"title":{"type":"string","minLength":1,"maxLength":200},"owner":{"type":"string","minLength":1,"maxLength":64},"department":{"type":"string","minLength":1,"maxLength":64},"dueAt":{"type":"string","format":"date-time"},"progress":{"maximum":100,"minimum":0,"type":"integer"},"lastProgressAt":{"type":"string","format":"date-time"}},"required":["daysWithoutProgress","delayedAt","planId","taskId","title","owner","department","dueAt","progress","lastProgressAt"],"examples":[{"planId":"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","taskId":"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","title":"Cut first-response time for complaints to 30 minutes","owner":"lead-service","department":"customer-service","dueAt":"2024-07-01T17:00:00.000Z","progress":40,"lastProgressAt":"2024-06-01T09:00:00.000Z","daysWithoutProgress":14,"delayedAt":"2024-06-15T09:00:00.000Z"}]},"crm.plan-task.escalated.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.plan-task.escalated.v1","title":"crm.plan-task.escalated.v1","description":"A plan task passed its deadline unfinished: escalated to its department, then to the executive level.","type":"object","properties":{"level":{"type":"string","enum":["department","executive"]},"escalatedAt":{"type":"string","format":"date-time"},"planId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"taskId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"title":{"type":"string","minLength":1,"maxLength":200},"owner":{"type":"string","minLength":1,"maxLength":64},"department":{"type":"string","minLength":1,"maxLength":64},"dueAt":{"type":"string","format":"date-time"},"progress":{"maximum":100,"minimum":0,"type":"integer"},"lastProgressAt":{"type":"string","format":"date-time"}},"required":["level","escalatedAt","planId","taskId","title","owner","department","dueAt","progress","lastProgressAt"],"examples":[{"planId":"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","taskId":"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","title":"Cut first-response time for complaints to 30 minutes","owner":"lead-service","department":"customer-service","dueAt":"2024-07-01T17:00:00.000Z","progress":60,"lastProgressAt":"2024-06-20T09:00:00.000Z","level":"department","escalatedAt":"2024-07-01T17:00:00.000Z"}]},"crm.ticket.resolved.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.ticket.resolved.v1","title":"crm.ticket.resolved.v1","description":"A ticket was resolved: when it was opened, first answered and resolved, and whether each SLA deadline was breached.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketType":{"type":"string","enum":["consultation","fault","complaint","suggestion","follow-up"]},"priority":{"type":"string","enum":["low","normal","high","urgent"]},"openedAt":{"type":"string","format":"date-time"},"firstRespondedAt":{"type":"string","format":"date-time"},"resolvedAt":{"type":"string","format":"date-time"},"firstResponseBreached":{"type":"boolean"},"resolutionBreached":{"type":"boolean"}},"required":["customerId","ticketId","ticketType","priority","openedAt","firstRespondedAt","resolvedAt","firstResponseBreached","resolutionBreached"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","ticketId":"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a","ticketType":"complaint","priority":"high","openedAt":"2024-05-20T09:30:00.000Z","firstRespondedAt":"2024-05-20T09:52:00.000Z","resolvedAt":"2024-05-21T15:00:00.000Z","firstResponseBreached":false,"resolutionBreached":false}]},"crm.ticket.changed.v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:crm:event:crm.ticket.changed.v1","title":"crm.ticket.changed.v1","description":"A ticket moved between opening and resolution: responded, waiting on the customer, customer replied, or priority changed.","type":"object","properties":{"customerId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"ticketId":{"type":"string","format":"uuid","pattern":"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$"},"change":{"type":"string","enum":["responded","waiting-on-customer","customer-replied","priority-changed","reassigned","reopened"]},"status":{"type":"string","minLength":1,"maxLength":32},"priority":{"type":"string","enum":["low","normal","high","urgent"]},"previousPriority":{"anyOf":[{"type":"string","enum":["low","normal","high","urgent"]},{"type":"null"}]},"owner":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"previousOwner":{"anyOf":[{"type":"string","minLength":1,"maxLength":64},{"type":"null"}]},"changedAt":{"type":"string","format":"date-time"}},"required":["customerId","ticketId","change","status","priority","changedAt"],"examples":[{"customerId":"6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01","ticketId":"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a","change":"waiting-on-customer","status":"waiting-on-customer","priority":"high","changedAt":"2024-05-20T10:15:00.000Z"}]}};
