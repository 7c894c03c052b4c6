export interface SlaPolicy {
  id: string;
  position: number;
  ticketType: string | null;
  customerTier: string | null;
  customerSegment: string | null;
  priority: string | null;
  firstResponseSeconds: number;
  /** Target for answering each later customer message; defaults to the first-response target. */
  nextResponseSeconds: number | null;
  resolutionSeconds: number;
  requiresOwner: boolean;
  /** Business calendar the targets count in; null counts round the clock. */
  calendarId: string | null;
  description?: string;
}

export interface TicketFacts {
  ticketType: string;
  priority: string;
  customerTier: string | null;
  customerSegment: string | null;
}

/** Policies in position order (then id); the first whose given fields all match wins. */
export function selectPolicy(policies: SlaPolicy[], ticket: TicketFacts): SlaPolicy | undefined {
  return [...policies]
    .sort((a, b) => a.position - b.position || a.id.localeCompare(b.id))
    .find(
      (p) =>
        (p.ticketType === null || p.ticketType === ticket.ticketType) &&
        (p.customerTier === null || p.customerTier === ticket.customerTier) &&
        (p.customerSegment === null || p.customerSegment === ticket.customerSegment) &&
        (p.priority === null || p.priority === ticket.priority),
    );
}
