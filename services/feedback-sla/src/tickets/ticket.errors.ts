import { conflict } from '@crm/service-kit';

/** Codes of the ticket module's errors; they travel in the body's `code`, where `instanceof` cannot. */
export enum TicketErrorCode {
  Resolved = 'TICKET_RESOLVED',
  NotResolved = 'TICKET_NOT_RESOLVED',
  NotResponded = 'TICKET_NOT_RESPONDED',
  NoSlaPolicy = 'NO_SLA_POLICY',
}

export const ticketResolved = (id: string) =>
  conflict(TicketErrorCode.Resolved, 'status', `ticket ${id} is resolved`);

export const ticketNotResolved = (id: string) =>
  conflict(
    TicketErrorCode.NotResolved,
    'status',
    `ticket ${id} is not resolved; only a resolved ticket reopens`,
  );

export const ticketNotResponded = () =>
  conflict(TicketErrorCode.NotResponded, 'status', 'respond to the customer before waiting on them');

export const noSlaPolicy = () =>
  conflict(
    TicketErrorCode.NoSlaPolicy,
    'policy',
    'no SLA policy matches this ticket; add a catch-all policy (no conditions)',
  );
