import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  Min,
} from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

/** `follow-up`: opened by the platform after a low satisfaction score; its first response is the remediation plan. */
export const TICKET_TYPES = ['consultation', 'fault', 'complaint', 'suggestion', 'follow-up'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];
export const SLA_METRICS = ['first-response', 'next-response', 'resolution'] as const;
export const ESCALATION_LEVELS = ['front-line', 'department', 'executive'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];
export type SlaMetric = (typeof SLA_METRICS)[number];

export class TicketOpenedV1 {
  @IsUUID() customerId: string;
  @IsUUID() ticketId: string;
  @IsOneOf(TICKET_TYPES) ticketType: TicketType;
  @IsOneOf(['low', 'normal', 'high', 'urgent']) priority: string;
  @IsString() @TextLength(1, 64) policy: string;
  @IsTimestamp() firstResponseDueAt: string;
  @IsTimestamp() resolutionDueAt: string;
  @IsTimestamp() openedAt: string;
  /** For a follow-up ticket: the survey whose low score opened it. */
  @IsOptional() @IsUUID() surveyId?: string;
  /** The product category the ticket is about; a complaint excludes it from offers. */
  @IsOptional() @IsString() @TextLength(1, 64) category?: string;
}

export const TicketOpened = defineEvent({
  type: 'crm.ticket.opened.v1',
  topic: Topics.feedback,
  description: 'A ticket (consultation, fault, complaint, suggestion) was opened with its SLA deadlines.',
  payload: TicketOpenedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    ticketId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    ticketType: 'complaint',
    priority: 'high',
    policy: 'complaint',
    firstResponseDueAt: '2024-05-20T10:00:00.000Z',
    resolutionDueAt: '2024-05-23T09:30:00.000Z',
    openedAt: '2024-05-20T09:30:00.000Z',
  },
});

export class SlaBreachedV1 {
  @IsUUID() customerId: string;
  @IsUUID() ticketId: string;
  @IsOneOf(SLA_METRICS) metric: SlaMetric;
  @IsString() @TextLength(1, 64) policy: string;
  @IsTimestamp() dueAt: string;
  @IsTimestamp() breachedAt: string;
}

export const SlaBreached = defineEvent({
  type: 'crm.sla.breached.v1',
  topic: Topics.feedback,
  description: 'A ticket deadline passed unmet. Emitted exactly once per ticket and metric.',
  payload: SlaBreachedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    ticketId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    metric: 'first-response',
    policy: 'complaint',
    dueAt: '2024-05-20T10:00:00.000Z',
    breachedAt: '2024-05-20T10:00:00.412Z',
  },
});

export class SlaWarningV1 {
  @IsUUID() customerId: string;
  @IsUUID() ticketId: string;
  @IsOneOf(SLA_METRICS) metric: SlaMetric;
  @IsString() @TextLength(1, 64) policy: string;
  /** The share of the target used when the warning fired, such as 0.75. */
  @IsNumber() @Min(0) @Max(1) share: number;
  @IsTimestamp() dueAt: string;
  @IsTimestamp() warnedAt: string;
}

export const SlaWarning = defineEvent({
  type: 'crm.sla.warning.v1',
  topic: Topics.feedback,
  description:
    'A ticket deadline is near: its warning share of the target is used. Once per ticket and metric.',
  payload: SlaWarningV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    ticketId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    metric: 'first-response',
    policy: 'complaint',
    share: 0.75,
    dueAt: '2024-05-20T10:00:00.000Z',
    warnedAt: '2024-05-20T09:52:30.104Z',
  },
});

export class TicketEscalatedV1 {
  @IsUUID() customerId: string;
  @IsUUID() ticketId: string;
  @IsOneOf(ESCALATION_LEVELS) level: EscalationLevel;
  @IsOneOf(ESCALATION_LEVELS) previousLevel: EscalationLevel;
  @IsString() @TextLength(1, 64) policy: string;
  @IsString() @TextLength(1, 200) reason: string;
  @IsTimestamp() escalatedAt: string;
}

export const TicketEscalated = defineEvent({
  type: 'crm.ticket.escalated.v1',
  topic: Topics.feedback,
  description:
    'A ticket moved up the escalation path front line → department → executive. Once per ticket and level.',
  payload: TicketEscalatedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    ticketId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    level: 'department',
    previousLevel: 'front-line',
    policy: 'complaint',
    reason: 'first-response deadline breached',
    escalatedAt: '2024-05-20T10:00:00.412Z',
  },
});

export class SurveyRequestedV1 {
  @IsUUID() customerId: string;
  @IsUUID() surveyId: string;
  @IsOneOf(['csat', 'nps']) kind: 'csat' | 'nps';
  @IsOptional() @IsString() orderId?: string;
  @IsOptional() @IsUUID() ticketId?: string;
  @IsTimestamp() requestedAt: string;
}

export const SurveyRequested = defineEvent({
  type: 'crm.survey.requested.v1',
  topic: Topics.feedback,
  description:
    'A satisfaction survey was scheduled (after a purchase or a resolved ticket). Never combined with marketing.',
  payload: SurveyRequestedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    surveyId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
    kind: 'csat',
    orderId: 'SO-2024-0001',
    requestedAt: '2024-05-20T09:30:02.000Z',
  },
});

export class FeedbackScoredV1 {
  @IsUUID() customerId: string;
  @IsUUID() surveyId: string;
  @IsOneOf(['csat', 'nps']) kind: 'csat' | 'nps';
  @IsInt() @Min(0) @Max(10) score: number;
  /** NPS 0-6 or CSAT 1-2: a follow-up ticket was opened. */
  @IsOneOf(['promoter', 'passive', 'detractor', 'satisfied', 'neutral', 'dissatisfied']) sentiment: string;
  @IsTimestamp() answeredAt: string;
  /** Set when the low score opened a follow-up ticket (remediation plan due within 48 h). */
  @IsOptional() @IsUUID() followUpTicketId?: string;
  /** The items of a multi-item answer that scored low (CSAT 1-2), by id: the follow-up acts on them. */
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) lowItems?: string[];
  /** The customer left a comment (its text stays in feedback-sla, encrypted; never in an event). */
  @IsOptional() @IsBoolean() commented?: boolean;
}

export const FeedbackScored = defineEvent({
  type: 'crm.feedback.scored.v1',
  topic: Topics.feedback,
  description:
    'A customer answered a CSAT (1-5) or NPS (0-10) survey; a detractor or CSAT of at most 2 carries the follow-up ticket.',
  payload: FeedbackScoredV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    surveyId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
    kind: 'nps',
    score: 4,
    sentiment: 'detractor',
    answeredAt: '2024-05-25T09:00:00.000Z',
    followUpTicketId: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
  },
});

/** Ticket types a journey may open: complaints need a person who took them, not an automation. */
export const REQUESTABLE_TICKET_TYPES = ['consultation', 'follow-up', 'suggestion'] as const;
export type RequestableTicketType = (typeof REQUESTABLE_TICKET_TYPES)[number];

/** A journey asks feedback-sla to open a ticket (once: the request travels through the outbox). */
export class TicketRequestedV1 {
  @IsUUID() customerId: string;
  @IsUUID() requestId: string;
  @IsOneOf(REQUESTABLE_TICKET_TYPES) ticketType: RequestableTicketType;
  @IsOneOf(['low', 'normal', 'high', 'urgent']) priority: 'low' | 'normal' | 'high' | 'urgent';
  @IsString() @TextLength(1, 200) subject: string;
  /** The customer's owner, who takes the ticket. */
  @IsOptional() @IsString() @TextLength(1, 64) owner?: string;
  /** `journey:<id>`. */
  @IsString() @TextLength(1, 80) requestedBy: string;
}

export const TicketRequested = defineEvent({
  type: 'crm.ticket.requested.v1',
  topic: Topics.careActions,
  description:
    'A journey asked for a ticket (a consultation, follow-up or suggestion); feedback-sla opens it.',
  payload: TicketRequestedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    requestId: '8e7d6c5b-4a39-4281-9706-f5e4d3c2b1a0',
    ticketType: 'follow-up',
    priority: 'normal',
    subject: 'win-back: call about the offer',
    owner: 'am-042',
    requestedBy: 'journey:win-back',
  },
});

/**
 * A ticket was resolved, with its outcome against the SLA: the times it was opened, first answered and
 * resolved, and whether either deadline was breached (KPIs: average first-response time, resolution rate).
 */
export class TicketResolvedV1 {
  @IsUUID() customerId: string;
  @IsUUID() ticketId: string;
  @IsOneOf(TICKET_TYPES) ticketType: TicketType;
  @IsOneOf(['low', 'normal', 'high', 'urgent']) priority: string;
  @IsTimestamp() openedAt: string;
  @IsTimestamp() firstRespondedAt: string;
  @IsTimestamp() resolvedAt: string;
  @IsBoolean() firstResponseBreached: boolean;
  @IsBoolean() resolutionBreached: boolean;
}

export const TicketResolved = defineEvent({
  type: 'crm.ticket.resolved.v1',
  topic: Topics.feedback,
  description:
    'A ticket was resolved: when it was opened, first answered and resolved, and whether each SLA deadline was breached.',
  payload: TicketResolvedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    ticketId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    ticketType: 'complaint',
    priority: 'high',
    openedAt: '2024-05-20T09:30:00.000Z',
    firstRespondedAt: '2024-05-20T09:52:00.000Z',
    resolvedAt: '2024-05-21T15:00:00.000Z',
    firstResponseBreached: false,
    resolutionBreached: false,
  },
});

export const TICKET_CHANGES = [
  'responded',
  'waiting-on-customer',
  'customer-replied',
  'priority-changed',
  'reassigned',
  'reopened',
] as const;
export type TicketChange = (typeof TICKET_CHANGES)[number];

/**
 * A ticket moved in its lifecycle between opening and resolution: answered (the first response or the
 * answer to the customer's latest message), waiting on the customer (its SLA clock stops), the customer
 * replied (the clock runs again), its priority changed (its deadlines are recomputed), it was reassigned, or
 * it was reopened after its resolution (a new resolution round with the full target).
 */
export class TicketChangedV1 {
  @IsUUID() customerId: string;
  @IsUUID() ticketId: string;
  @IsOneOf(TICKET_CHANGES) change: TicketChange;
  @IsString() @TextLength(1, 32) status: string;
  @IsOneOf(['low', 'normal', 'high', 'urgent']) priority: string;
  @IsOptional() @IsOneOf(['low', 'normal', 'high', 'urgent']) previousPriority?: string;
  /** The owner now, and before a reassignment. */
  @IsOptional() @IsString() @TextLength(1, 64) owner?: string;
  @IsOptional() @IsString() @TextLength(1, 64) previousOwner?: string;
  @IsTimestamp() changedAt: string;
}

export const TicketChanged = defineEvent({
  type: 'crm.ticket.changed.v1',
  topic: Topics.feedback,
  description:
    'A ticket moved between opening and resolution: responded, waiting on the customer, customer replied, or priority changed.',
  payload: TicketChangedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    ticketId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    change: 'waiting-on-customer',
    status: 'waiting-on-customer',
    priority: 'high',
    changedAt: '2024-05-20T10:15:00.000Z',
  },
});
