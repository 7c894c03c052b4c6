/**
 * What the console's own API answers: one file, compiled into the service and imported (types only) by the
 * web app, so the browser and the backend-for-frontend cannot drift apart.
 */
export const CONSOLE_ROLES = ['agent', 'analyst', 'admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** GET /console/api/settings: how to sign in here. */
export interface ConsoleSettings {
  /** The local development flow: pick a role and a name, the console mints a short-lived token. */
  devSignIn: boolean;
  /** OIDC authorization code flow with PKCE against the identity provider (production). */
  oidc: { authorizationEndpoint: string; tokenEndpoint: string; clientId: string; scope: string } | null;
  version: string;
}

export interface SignInRequest {
  role: ConsoleRole;
  subject: string;
}

export interface SignedIn {
  token: string;
  subject: string;
  roles: string[];
  expiresAt: string;
}

export interface Who {
  subject: string;
  roles: string[];
}

/** A row of a customer search. */
export interface CustomerHit {
  id: string;
  externalRef: string;
  /** Masked unless the caller revealed it (the profile service decides). */
  name: string | null;
  owner: string | null;
  valueTier: string | null;
  segment: string | null;
  lifecycleStage: string | null;
}

/** POST /console/api/customers/search: in the body, so a name never lands in a URL or an access log. */
export interface SearchRequest {
  q: string;
}

export interface SearchResult {
  hits: CustomerHit[];
  /** How the query was answered: by reference, name, owner, tier, segment or expression. */
  by: 'externalRef' | 'name' | 'owner' | 'tier' | 'segment' | 'expression';
  total: number;
}

export interface ProfilePart {
  id: string;
  externalRef: string;
  kind: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  owner: string | null;
  industry: string | null;
  companySize: string | null;
  locale: string | null;
  timeZone: string | null;
  registeredAt: string;
  relationshipStartedAt: string;
  consents: { channel: string; purpose: string; granted: boolean; changedAt: string }[];
  aggregates: {
    lifetimeSpend: number;
    lifetimePurchaseCount: number;
    firstPurchaseAt: string | null;
    lastPurchaseAt: string | null;
  };
  erased: boolean;
}

export interface ScoresPart {
  rfm: { recency: number; frequency: number; monetary: number };
  valueTier: string;
  valueLoyaltySegment: string;
  membershipLevel: string;
  lifecycleStage: string;
  tags: string[];
  facts: { spend12m: number; purchases12m: number; lifetimePurchases: number; lastPurchaseAt: string | null };
  rulesVersion: string;
  scoredAt: string;
  causedByEventId: string | null;
  /** Why the tier: the facts beside the thresholds of the rule that decided it. */
  why: string[];
}

export interface StageChange {
  previousStage: string | null;
  stage: string;
  reactivated: boolean;
  changedAt: string;
  causedByEventId: string | null;
  sweepRunId: string | null;
}

/** One line of a list part: what happened, when, and a short description. */
export interface Line {
  id: string;
  at: string | null;
  title: string;
  detail: string;
  status?: string;
}

export interface TicketLine {
  ticketId: string;
  type: string;
  priority: string;
  status: string;
  owner: string | null;
  openedAt: string | null;
  nextDeadline: string | null;
  breached: boolean;
}

export interface PartProblem {
  part: string;
  status: number;
  reason: string;
}

/** GET /console/api/customers/:id: everything about a customer in one answer. */
export interface Customer360 {
  profile: ProfilePart;
  scores: ScoresPart | null;
  stageHistory: StageChange[];
  segments: string[];
  interactions: Line[];
  tickets: TicketLine[];
  careActions: Line[];
  journeys: Line[];
  referrals: Line[];
  points: { balance: number; movements: Line[] } | null;
  /** Parts a service did not answer (down, or not allowed for the role): the rest still shows. */
  unavailable: PartProblem[];
}

export interface BoardTicket {
  ticketId: string;
  customerId: string;
  type: string;
  priority: string;
  tier: string | null;
  owner: string | null;
  status: string;
  escalationLevel: string;
  nextDeadline: string | null;
  nextDeadlineMetric: string | null;
  secondsLeft: number | null;
  breached: boolean;
}

/** The ticket types a person opens (follow-ups are opened by the platform). */
export const OPENABLE_TICKET_TYPES = ['consultation', 'fault', 'complaint', 'suggestion'] as const;

export type TicketAction = 'respond' | 'wait-on-customer' | 'customer-replied' | 'resolve';
export const TICKET_ACTIONS: readonly TicketAction[] = [
  'respond',
  'wait-on-customer',
  'customer-replied',
  'resolve',
];

export interface QueueItem {
  id: string;
  source: 'task' | 'need' | 'plan-task';
  customerId: string | null;
  title: string;
  dueAt: string | null;
  overdue: boolean;
}

export interface SegmentPreview {
  count: number;
  sample: string[];
}

/** 400 of a segment expression: the message and where in the text it went wrong. */
export interface ExpressionProblem {
  message: string;
  position: number | null;
}

export interface Distribution {
  label: string;
  count: number;
}

export interface Overview {
  tiers: Distribution[];
  stages: Distribution[];
  segments: Distribution[];
  sla: { period: string; met: number; breached: number }[];
  unavailable: PartProblem[];
}

/** One server-sent event: ids and the event type only, never personal data. */
export interface LiveEvent {
  /** The catalogue's event type (`crm.customer.rescored.v1`, ...). */
  type: string;
  customerId: string | null;
  ticketId: string | null;
  occurredAt: string;
}
