import {
  CHANNELS,
  DATE_TRIGGERS,
  EVENT_CATALOG,
  LIFECYCLE_STAGES,
  MAX_POINTS_PER_GRANT,
  MEMBERSHIP_LEVELS,
  PURPOSES,
  REQUESTABLE_TICKET_TYPES,
  VALUE_LOYALTY_SEGMENTS,
  VALUE_TIERS,
  type Channel,
  type Purpose,
  type RequestableTicketType,
} from '@crm/contracts';

/**
 * Journeys as data: a definition is JSON, validated here (every problem named with the step it is in) and
 * run by the pure engine in `journey-engine.ts`. A customer finishes the version they entered.
 */

/** `<n>m`, `<n>h` or `<n>d`: minutes, hours or days. */
export type Duration = string;

/** Top-level payload fields an event must have (equal values) to count. */
export type EventMatch = Record<string, string | number | boolean>;

export interface TouchAction {
  kind: 'touch';
  /** `auto`: the channel of the customer's segment (the multi-channel matrix, `segment_channels`). */
  channel: Channel | 'auto';
  purpose: Purpose;
  /** One template for everyone, or one per variant id. */
  template: string | Record<string, string>;
  /** A person must reach the customer within this many hours (a contact deadline; win-back: 24). */
  contactDueHours?: number;
  /** The product category the touch is about: a customer who excluded it is not touched. */
  category?: string;
}

/** A task in the customer owner's queue (a call to make, a visit to plan). */
export interface TaskAction {
  kind: 'task';
  detail: string;
}

/** A ticket feedback-sla opens (a consultation, follow-up or suggestion), taken by the customer's owner. */
export interface TicketAction {
  kind: 'ticket';
  ticketType: RequestableTicketType;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  subject: string;
}

/** Care points credited to the customer (referral's points ledger, the `journey` earning rule). */
export interface PointsAction {
  kind: 'points';
  points: number;
  reason: string;
}

export type JourneyStep =
  /** A duration, or `until` a local time of day (`HH:MM`) in the customer's time zone. */
  | { type: 'wait'; duration?: Duration; until?: string; next: string }
  | {
      type: 'waitForEvent';
      event: string;
      match?: EventMatch;
      timeout: Duration;
      next: string;
      onTimeout: string;
    }
  | { type: 'branch'; attribute: BranchAttribute; in: string[]; then: string; else: string }
  | { type: 'action'; action: TouchAction | TaskAction | TicketAction | PointsAction; next?: string }
  | { type: 'exit' };

export const BRANCH_ATTRIBUTES = {
  valueTier: VALUE_TIERS,
  valueLoyaltySegment: VALUE_LOYALTY_SEGMENTS,
  membershipLevel: MEMBERSHIP_LEVELS,
  lifecycleStage: LIFECYCLE_STAGES,
  variant: undefined,
  /** The customer is in any of the listed custom segments (tagging's segment expressions, by id). */
  segment: null,
} as const;
export type BranchAttribute = keyof typeof BRANCH_ATTRIBUTES;

/**
 * The moments the platform derives from its events, which a journey may enter on instead of an event (the
 * seeded care playbooks are journeys entered this way): a first purchase, a tier upgrade, entering a tier,
 * a lifecycle stage or a value-loyalty segment, churn risk crossing its alert threshold, a low satisfaction score, a survey to deliver, an order paid
 * in full, and each date trigger.
 */
export const JOURNEY_TRIGGERS: readonly string[] = [
  'first-purchase',
  'tier-upgraded',
  'membership-upgraded',
  'churn-risk-high',
  ...VALUE_TIERS.map((t) => `tier-entered:${t}`),
  ...LIFECYCLE_STAGES.map((s) => `stage-entered:${s}`),
  ...VALUE_LOYALTY_SEGMENTS.map((s) => `segment-entered:${s}`),
  'feedback:low-score',
  'survey-requested',
  'payment-recorded',
  ...DATE_TRIGGERS.map((t) => `date:${t}`),
];

/** A known trigger, or entering one of tagging's custom segments (`custom-segment-entered:<segment id>`). */
export function isJourneyTrigger(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    (JOURNEY_TRIGGERS.includes(value) || /^custom-segment-entered:[A-Za-z0-9_.-]{1,64}$/.test(value))
  );
}

export interface JourneyDefinition {
  name: string;
  description?: string;
  /**
   * What enters a customer: an event (its subject), when its payload matches, or one of the platform's
   * derived moments (`JOURNEY_TRIGGERS`).
   */
  entry: { event?: string; match?: EventMatch; trigger?: string };
  /**
   * The name this journey's touches carry as their `playbook` (care actions, `crm.care-action.triggered.v1`);
   * default `journey:<id>`. The seeded journeys keep the names they had as playbooks.
   */
  playbook?: string;
  /** Customers held out of every action, to measure the journey against (deterministic per customer). */
  holdoutPercent?: number;
  /** A/B variants with weights; default one variant `A`. */
  variants?: Array<{ id: string; weight: number }>;
  /** Converted: this event within `withinDays` of entering. */
  goal?: { event: string; match?: EventMatch; withinDays: number };
  /** Events that end a customer's run at once (e.g. a purchase, erasure). */
  exitOn?: string[];
  start: string;
  steps: Record<string, JourneyStep>;
}

export interface JourneyProblem {
  /** `entry`, `goal`, `variants`, `steps.<id>` …: where the problem is. */
  field: string;
  message: string;
}

const DURATION = /^([1-9]\d{0,5})([mhd])$/;
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const KNOWN_EVENTS = new Set(EVENT_CATALOG.map((d) => d.type));

export function durationMs(duration: Duration): number {
  const match = DURATION.exec(duration);
  if (!match) throw new Error(`bad duration ${duration}`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

export function variantsOf(definition: JourneyDefinition): Array<{ id: string; weight: number }> {
  return definition.variants && definition.variants.length > 0
    ? definition.variants
    : [{ id: 'A', weight: 100 }];
}

/** The templates of a definition's touches on written channels (which need a template), by step. */
export function writtenTemplates(
  definition: JourneyDefinition,
  written: ReadonlySet<string>,
): Array<{ step: string; template: string }> {
  const used: Array<{ step: string; template: string }> = [];
  for (const [id, step] of Object.entries(definition.steps ?? {})) {
    if (step?.type !== 'action' || !isObject(step.action) || step.action.kind !== 'touch') continue;
    const { channel, template } = step.action;
    if (channel !== 'auto' && !written.has(channel)) continue;
    for (const t of typeof template === 'string'
      ? [template]
      : isObject(template)
        ? Object.values(template)
        : [])
      if (typeof t === 'string') used.push({ step: id, template: t });
  }
  return used;
}

/** The steps a step can go to next. */
export function successors(step: JourneyStep): string[] {
  switch (step.type) {
    case 'wait':
      return [step.next];
    case 'waitForEvent':
      return [step.next, step.onTimeout];
    case 'branch':
      return [step.then, step.else];
    case 'action':
      return step.next ? [step.next] : [];
    case 'exit':
      return [];
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkMatch(match: unknown, field: string, problems: JourneyProblem[]): void {
  if (match === undefined) return;
  if (!isObject(match) || Object.keys(match).length > 20) {
    problems.push({ field, message: 'match must be an object of at most 20 payload fields' });
    return;
  }
  for (const [key, value] of Object.entries(match))
    if (!['string', 'number', 'boolean'].includes(typeof value))
      problems.push({ field, message: `match.${key} must be a string, number or boolean` });
}

function checkEvent(event: unknown, field: string, problems: JourneyProblem[]): void {
  if (typeof event !== 'string' || !KNOWN_EVENTS.has(event))
    problems.push({ field, message: `unknown event type ${JSON.stringify(event)}` });
}

function checkDuration(value: unknown, field: string, problems: JourneyProblem[]): void {
  if (typeof value !== 'string' || !DURATION.test(value))
    problems.push({ field, message: `${JSON.stringify(value)} is not a duration like 30m, 12h or 3d` });
}

/**
 * Every problem of a proposed definition, each naming where it is: unknown event types, unknown or
 * unreachable steps, loops that never wait, bad durations, touches without a template for every variant.
 * An empty list means the definition can run.
 */
export function validateJourney(input: unknown): JourneyProblem[] {
  const problems: JourneyProblem[] = [];
  if (!isObject(input)) return [{ field: '(definition)', message: 'a journey definition is a JSON object' }];
  const definition = input as unknown as JourneyDefinition;
  if (typeof definition.name !== 'string' || definition.name.length < 1 || definition.name.length > 120)
    problems.push({ field: 'name', message: 'name must be 1 to 120 characters' });
  if (!isObject(definition.entry))
    problems.push({ field: 'entry', message: 'entry must name an event or a trigger' });
  else if (definition.entry.trigger !== undefined) {
    if (definition.entry.event !== undefined || definition.entry.match !== undefined)
      problems.push({
        field: 'entry',
        message: 'entry names an event (with a match) or a trigger, not both',
      });
    if (!isJourneyTrigger(definition.entry.trigger))
      problems.push({
        field: 'entry',
        message: `unknown trigger ${JSON.stringify(definition.entry.trigger)} (one of ${JOURNEY_TRIGGERS.join(', ')}, or custom-segment-entered:<segment id>)`,
      });
  } else {
    checkEvent(definition.entry.event, 'entry', problems);
    checkMatch(definition.entry.match, 'entry', problems);
  }
  if (
    definition.playbook !== undefined &&
    (typeof definition.playbook !== 'string' || !/^[a-z0-9][a-z0-9:-]{0,63}$/.test(definition.playbook))
  )
    problems.push({
      field: 'playbook',
      message: 'playbook must be 1 to 64 lowercase letters, digits, : and -',
    });
  const holdout = definition.holdoutPercent ?? 0;
  if (typeof holdout !== 'number' || !Number.isInteger(holdout) || holdout < 0 || holdout > 50)
    problems.push({ field: 'holdoutPercent', message: 'holdoutPercent must be an integer from 0 to 50' });
  const variants = definition.variants ?? [];
  if (!Array.isArray(variants) || variants.length > 5) {
    problems.push({ field: 'variants', message: 'variants must be a list of at most 5' });
  } else {
    const ids = new Set<string>();
    for (const [i, v] of variants.entries()) {
      if (!isObject(v) || typeof v.id !== 'string' || !/^[A-Za-z0-9-]{1,16}$/.test(v.id) || ids.has(v.id))
        problems.push({
          field: `variants[${i}]`,
          message: 'each variant needs a unique id (letters, digits, -)',
        });
      else ids.add(v.id);
      if (
        !isObject(v) ||
        typeof v.weight !== 'number' ||
        !Number.isInteger(v.weight) ||
        v.weight < 1 ||
        v.weight > 100
      )
        problems.push({ field: `variants[${i}]`, message: 'weight must be an integer from 1 to 100' });
    }
  }
  if (definition.goal !== undefined) {
    if (!isObject(definition.goal)) problems.push({ field: 'goal', message: 'goal must be an object' });
    else {
      checkEvent(definition.goal.event, 'goal', problems);
      checkMatch(definition.goal.match, 'goal', problems);
      const days = definition.goal.withinDays;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365)
        problems.push({ field: 'goal', message: 'goal.withinDays must be an integer from 1 to 365' });
    }
  }
  if (definition.exitOn !== undefined) {
    if (!Array.isArray(definition.exitOn))
      problems.push({ field: 'exitOn', message: 'exitOn must be a list' });
    else for (const e of definition.exitOn) checkEvent(e, 'exitOn', problems);
  }
  if (!isObject(definition.steps) || Object.keys(definition.steps).length === 0) {
    problems.push({ field: 'steps', message: 'steps must be an object of at least one step' });
    return problems;
  }
  const stepIds = Object.keys(definition.steps);
  if (stepIds.length > 100) problems.push({ field: 'steps', message: 'at most 100 steps' });
  for (const id of stepIds)
    if (!ID.test(id))
      problems.push({ field: `steps.${id}`, message: 'step ids are lowercase letters, digits and -' });
  if (typeof definition.start !== 'string' || !definition.steps[definition.start])
    problems.push({ field: 'start', message: `start ${JSON.stringify(definition.start)} is not a step` });
  const variantIds = variantsOf({ ...definition, variants: Array.isArray(variants) ? variants : [] }).map(
    (v) => v.id,
  );
  for (const [id, step] of Object.entries(definition.steps))
    checkStep(id, step, variantIds, definition.steps, problems);
  if (problems.length > 0) return problems;
  // Reachability from the start.
  const reached = new Set<string>();
  const queue = [definition.start];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    queue.push(...successors(definition.steps[id]));
  }
  for (const id of stepIds)
    if (!reached.has(id)) problems.push({ field: `steps.${id}`, message: 'unreachable from start' });
  // A loop must pass a wait: among the steps that run at once (branch, action), the graph must have no cycle.
  const instant = (id: string) => ['branch', 'action'].includes(definition.steps[id].type);
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (!instant(id) || state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      problems.push({ field: `steps.${id}`, message: `loop without a wait: ${[...path, id].join(' → ')}` });
      return;
    }
    state.set(id, 'visiting');
    for (const next of successors(definition.steps[id])) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  for (const id of stepIds) visit(id, []);
  return problems;
}

function checkStep(
  id: string,
  step: unknown,
  variantIds: string[],
  steps: Record<string, unknown>,
  problems: JourneyProblem[],
): void {
  const field = `steps.${id}`;
  if (!isObject(step)) {
    problems.push({ field, message: 'a step is an object with a type' });
    return;
  }
  const target = (name: string) => {
    const value = step[name];
    if (typeof value !== 'string' || !(value in steps))
      problems.push({ field, message: `${name} ${JSON.stringify(value)} is not a step` });
  };
  switch (step.type) {
    case 'wait':
      if (step.until !== undefined) {
        if (step.duration !== undefined)
          problems.push({ field, message: 'a wait has either a duration or until, not both' });
        if (typeof step.until !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(step.until))
          problems.push({
            field,
            message: `until ${JSON.stringify(step.until)} is not a time of day like 09:30`,
          });
      } else checkDuration(step.duration, field, problems);
      target('next');
      return;
    case 'waitForEvent':
      checkEvent(step.event, field, problems);
      checkMatch(step.match, field, problems);
      checkDuration(step.timeout, field, problems);
      target('next');
      target('onTimeout');
      return;
    case 'branch': {
      const attribute = step.attribute as string;
      if (!(attribute in BRANCH_ATTRIBUTES)) {
        problems.push({
          field,
          message: `attribute must be one of ${Object.keys(BRANCH_ATTRIBUTES).join(', ')}`,
        });
      } else if (attribute === 'segment') {
        if (
          !Array.isArray(step.in) ||
          step.in.length === 0 ||
          step.in.length > 20 ||
          !step.in.every((v) => typeof v === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(v))
        )
          problems.push({
            field,
            message: 'in must list 1 to 20 segment ids (lower-case letters, digits, -)',
          });
      } else {
        const allowed: readonly string[] = BRANCH_ATTRIBUTES[attribute as BranchAttribute] ?? variantIds;
        if (
          !Array.isArray(step.in) ||
          step.in.length === 0 ||
          !step.in.every((v) => allowed.includes(v as string))
        )
          problems.push({ field, message: `in must list values of ${attribute}: ${allowed.join(', ')}` });
      }
      target('then');
      target('else');
      return;
    }
    case 'action': {
      const action = step.action;
      if (isObject(action) && action.kind === 'task') {
        if (typeof action.detail !== 'string' || action.detail.length < 1 || action.detail.length > 200)
          problems.push({ field, message: 'action.detail must be 1 to 200 characters' });
        if (step.next !== undefined) target('next');
        return;
      }
      if (isObject(action) && action.kind === 'ticket') {
        if (!(REQUESTABLE_TICKET_TYPES as readonly string[]).includes(action.ticketType as string))
          problems.push({
            field,
            message: `action.ticketType must be one of ${REQUESTABLE_TICKET_TYPES.join(', ')}`,
          });
        if (
          action.priority !== undefined &&
          !['low', 'normal', 'high', 'urgent'].includes(action.priority as string)
        )
          problems.push({ field, message: 'action.priority must be low, normal, high or urgent' });
        if (typeof action.subject !== 'string' || action.subject.length < 1 || action.subject.length > 200)
          problems.push({ field, message: 'action.subject must be 1 to 200 characters' });
        if (step.next !== undefined) target('next');
        return;
      }
      if (isObject(action) && action.kind === 'points') {
        if (
          typeof action.points !== 'number' ||
          !Number.isInteger(action.points) ||
          action.points < 1 ||
          action.points > MAX_POINTS_PER_GRANT
        )
          problems.push({
            field,
            message: `action.points must be a whole number from 1 to ${MAX_POINTS_PER_GRANT}`,
          });
        if (typeof action.reason !== 'string' || action.reason.length < 1 || action.reason.length > 200)
          problems.push({ field, message: 'action.reason must be 1 to 200 characters' });
        if (step.next !== undefined) target('next');
        return;
      }
      if (!isObject(action) || action.kind !== 'touch') {
        problems.push({ field, message: 'action.kind must be touch, task, ticket or points' });
        return;
      }
      if (action.channel !== 'auto' && !CHANNELS.includes(action.channel as Channel))
        problems.push({
          field,
          message: `action.channel must be auto (the segment's channel) or one of ${CHANNELS.join(', ')}`,
        });
      if (!PURPOSES.includes(action.purpose as Purpose))
        problems.push({ field, message: `action.purpose must be one of ${PURPOSES.join(', ')}` });
      const template = action.template;
      const valid = (t: unknown) => typeof t === 'string' && ID.test(t);
      if (typeof template === 'string') {
        if (!valid(template)) problems.push({ field, message: 'action.template must be a template id' });
      } else if (isObject(template)) {
        for (const variant of variantIds)
          if (!valid(template[variant]))
            problems.push({ field, message: `missing template for variant ${variant}` });
      } else problems.push({ field, message: 'missing template' });
      const due = action.contactDueHours;
      if (due !== undefined && (typeof due !== 'number' || !Number.isInteger(due) || due < 1 || due > 720))
        problems.push({
          field,
          message: 'action.contactDueHours must be a whole number of hours from 1 to 720',
        });
      if (
        action.category !== undefined &&
        (typeof action.category !== 'string' || action.category.length < 1 || action.category.length > 64)
      )
        problems.push({ field, message: 'action.category must be 1 to 64 characters' });
      if (step.next !== undefined) target('next');
      return;
    }
    case 'exit':
      return;
    default:
      problems.push({ field, message: 'type must be wait, waitForEvent, branch, action or exit' });
  }
}

/**
 * Every event type a journey reacts to: its entry, its goal, its exits and the events its steps wait for.
 * An event of another type cannot enter, move, convert or end a run of it.
 */
export function eventTypesOf(definition: JourneyDefinition): string[] {
  const types = new Set<string>();
  if (definition.entry?.event) types.add(definition.entry.event);
  if (definition.goal?.event) types.add(definition.goal.event);
  for (const type of definition.exitOn ?? []) types.add(type);
  for (const step of Object.values(definition.steps ?? {}))
    if (step.type === 'waitForEvent' && step.event) types.add(step.event);
  return [...types];
}
