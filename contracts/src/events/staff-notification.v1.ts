import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

/** A staff member's id (an owner, a team lead, an executive): letters, digits, `.`, `_`, `@`, `-`. */
export const STAFF_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export const ESCALATION_ROLES = ['owner', 'team-lead', 'executive-on-call'] as const;
export type EscalationRole = (typeof ESCALATION_ROLES)[number];

export const ESCALATION_STEPS = ['warning', 'breach', 'executive'] as const;
export type EscalationStep = (typeof ESCALATION_STEPS)[number];

/**
 * A step of a ticket's escalation path routed to a person: the warning to the ticket's owner, the breach to
 * the lead of the owner's team, the executive escalation to the executive on call. growth-campaigns delivers
 * it as a service message through its channels. Ids only: the address is read at the moment of sending.
 */
export class StaffNotificationRequestedV1 {
  @IsUUID() customerId: string;
  @IsUUID() ticketId: string;
  /** Unique per step and person: the idempotency key of the delivery. */
  @IsUUID() notificationId: string;
  @IsString() @Matches(STAFF_ID) staffId: string;
  @IsOneOf(ESCALATION_ROLES) role: EscalationRole;
  @IsOneOf(ESCALATION_STEPS) step: EscalationStep;
  /** The team whose lead or on-call rotation chose the person; absent for the owner. */
  @IsOptional() @IsString() @TextLength(1, 64) teamId?: string;
  @IsString() @TextLength(1, 64) policy: string;
  @IsString() @TextLength(1, 200) reason: string;
  /** The deadline the step is about. */
  @IsOptional() @IsTimestamp() dueAt?: string;
  @IsTimestamp() requestedAt: string;
}

export const StaffNotificationRequested = defineEvent({
  type: 'crm.staff-notification.requested.v1',
  topic: Topics.feedback,
  description:
    'An escalation step routed to a person (owner, team lead, executive on call); growth-campaigns delivers it as a service message.',
  payload: StaffNotificationRequestedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    ticketId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    notificationId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    staffId: 'lead-care-north',
    role: 'team-lead',
    step: 'breach',
    teamId: 'care-north',
    policy: 'complaint-standard',
    reason: 'resolution deadline breached',
    dueAt: '2024-05-21T09:00:00.000Z',
    requestedAt: '2024-05-21T09:00:01.000Z',
  },
});
