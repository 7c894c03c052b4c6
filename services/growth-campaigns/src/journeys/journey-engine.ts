import { createHash } from 'node:crypto';
import { nextLocalTime, parseTimeOfDay } from '@crm/service-kit';
import {
  durationMs,
  variantsOf,
  type EventMatch,
  type JourneyDefinition,
  type PointsAction,
  type TaskAction,
  type TicketAction,
  type TouchAction,
} from './journey-definition';

/**
 * The journey engine, pure: from a run's state and one input (entering, an event, the clock) to the next
 * state and the effects to apply. The service applies the effects in the transaction that stores the state
 * (so each step happens exactly once); the simulation route collects them without applying anything.
 */

export type RunStatus = 'active' | 'completed' | 'exited';

export interface RunState {
  status: RunStatus;
  step: string;
  /** When the current wait ends (a wait, or a waitForEvent's timeout). */
  wakeAt: Date | null;
  /** Steps taken so far: the idempotency of each action is `<run id>:<steps>`. */
  steps: number;
  exitReason?: string;
}

export interface CustomerAttributes {
  /** The customer's time zone, for waits until a local time of day (default UTC). */
  timeZone?: string;
  valueTier?: string;
  valueLoyaltySegment?: string;
  /** The custom segments (tagging's expressions) the customer is in, from the state topic. */
  customSegments?: string[];
  membershipLevel?: string;
  lifecycleStage?: string;
}

export interface RunContext {
  now: Date;
  variant: string;
  holdout: boolean;
  attributes: CustomerAttributes;
}

export interface TouchEffect {
  kind: 'touch';
  step: string;
  /** The step counter when the touch was decided: with the run id, its idempotency key. */
  sequence: number;
  channel: TouchAction['channel'];
  purpose: TouchAction['purpose'];
  template: string;
  contactDueHours?: number;
  category?: string;
  /** Held out: recorded, never sent. */
  holdout: boolean;
}

/** A task for the customer's owner. */
export interface TaskEffect {
  kind: 'task';
  step: string;
  sequence: number;
  detail: string;
  holdout: boolean;
}

/** A ticket for feedback-sla to open. */
export interface TicketEffect {
  kind: 'ticket';
  step: string;
  sequence: number;
  ticketType: TicketAction['ticketType'];
  priority: NonNullable<TicketAction['priority']>;
  subject: string;
  holdout: boolean;
}

/** Care points for referral's ledger to credit. */
export interface PointsEffect {
  kind: 'points';
  step: string;
  sequence: number;
  points: number;
  reason: string;
  holdout: boolean;
}

export type JourneyEffect = TouchEffect | TaskEffect | TicketEffect | PointsEffect;

export interface Advance {
  state: RunState;
  effects: JourneyEffect[];
  /** The steps entered, in order (the path, for the log and the simulation). */
  path: string[];
}

export type RunInput =
  { kind: 'enter' } | { kind: 'timer' } | { kind: 'event'; type: string; data: Record<string, unknown> };

/** Whether an event's payload has every field of `match` with the same value. */
export function matches(data: Record<string, unknown>, match: EventMatch | undefined): boolean {
  return Object.entries(match ?? {}).every(([key, value]) => data[key] === value);
}

/** A number in [0, 100) from the journey and the customer: the same customer always lands in the same bucket. */
export function bucketOf(journeyId: string, customerId: string, salt = ''): number {
  const digest = createHash('sha256').update(`${journeyId}:${customerId}:${salt}`).digest();
  return (digest.readUInt32BE(0) % 10_000) / 100;
}

/** Holdout first (its share of customers), then variants by weight, deterministically per customer. */
export function assignVariant(
  definition: JourneyDefinition,
  journeyId: string,
  customerId: string,
): { variant: string; holdout: boolean } {
  if (bucketOf(journeyId, customerId, 'holdout') < (definition.holdoutPercent ?? 0))
    return { variant: 'holdout', holdout: true };
  const variants = variantsOf(definition);
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let point = (bucketOf(journeyId, customerId, 'variant') / 100) * total;
  for (const v of variants) {
    if (point < v.weight) return { variant: v.id, holdout: false };
    point -= v.weight;
  }
  return { variant: variants[variants.length - 1].id, holdout: false };
}

/** The state of a run before it enters. */
export function initialState(definition: JourneyDefinition): RunState {
  return { status: 'active', step: definition.start, wakeAt: null, steps: 0 };
}

/** At most this many instant steps in one advance: validation forbids loops without a wait; this is a fuse. */
const MAX_INSTANT_STEPS = 1000;

export function advance(
  definition: JourneyDefinition,
  state: RunState,
  input: RunInput,
  context: RunContext,
): Advance {
  const result: Advance = { state: { ...state }, effects: [], path: [] };
  const run = result.state;
  if (run.status !== 'active') return result;
  if (input.kind === 'event' && (definition.exitOn ?? []).includes(input.type)) {
    run.status = 'exited';
    run.exitReason = input.type;
    run.wakeAt = null;
    return result;
  }
  const current = definition.steps[run.step];
  if (input.kind === 'enter') {
    return proceed(definition, result, context);
  }
  if (input.kind === 'timer') {
    if (!run.wakeAt || run.wakeAt > context.now) return result;
    if (current.type === 'wait') return moveTo(definition, result, current.next, context);
    if (current.type === 'waitForEvent') return moveTo(definition, result, current.onTimeout, context);
    return result;
  }
  if (current.type === 'waitForEvent' && current.event === input.type && matches(input.data, current.match))
    return moveTo(definition, result, current.next, context);
  return result;
}

function moveTo(definition: JourneyDefinition, result: Advance, next: string, context: RunContext): Advance {
  result.state.step = next;
  result.state.wakeAt = null;
  return proceed(definition, result, context);
}

function proceed(definition: JourneyDefinition, result: Advance, context: RunContext): Advance {
  const run = result.state;
  for (let i = 0; i < MAX_INSTANT_STEPS; i++) {
    const step = definition.steps[run.step];
    run.steps += 1;
    result.path.push(run.step);
    switch (step.type) {
      case 'wait':
        run.wakeAt = new Date(
          step.until !== undefined
            ? nextLocalTime(
                context.attributes.timeZone ?? 'UTC',
                context.now.getTime(),
                parseTimeOfDay(step.until)!,
              )
            : context.now.getTime() + durationMs(step.duration!),
        );
        return result;
      case 'waitForEvent':
        run.wakeAt = new Date(context.now.getTime() + durationMs(step.timeout));
        return result;
      case 'branch': {
        const inIt =
          step.attribute === 'segment'
            ? (context.attributes.customSegments ?? []).some((s) => step.in.includes(s))
            : (() => {
                const value =
                  step.attribute === 'variant' ? context.variant : context.attributes[step.attribute];
                return value !== undefined && step.in.includes(value);
              })();
        run.step = inIt ? step.then : step.else;
        continue;
      }
      case 'action': {
        result.effects.push(effectOf(step.action, run, context));
        if (!step.next) {
          run.status = 'completed';
          run.wakeAt = null;
          return result;
        }
        run.step = step.next;
        continue;
      }
      case 'exit':
        run.status = 'completed';
        run.wakeAt = null;
        return result;
    }
  }
  throw new Error(`journey ${definition.name}: more than ${MAX_INSTANT_STEPS} steps without a wait`);
}

/** What an action step does: a touch (the variant's template), a task for the owner, a ticket or points. */
function effectOf(
  action: TouchAction | TaskAction | TicketAction | PointsAction,
  run: RunState,
  context: RunContext,
): JourneyEffect {
  const base = { step: run.step, sequence: run.steps, holdout: context.holdout };
  switch (action.kind) {
    case 'points':
      return { kind: 'points', ...base, points: action.points, reason: action.reason };
    case 'task':
      return { kind: 'task', ...base, detail: action.detail };
    case 'ticket':
      return {
        kind: 'ticket',
        ...base,
        ticketType: action.ticketType,
        priority: action.priority ?? 'normal',
        subject: action.subject,
      };
    case 'touch':
      return {
        kind: 'touch',
        ...base,
        channel: action.channel,
        purpose: action.purpose,
        template:
          typeof action.template === 'string'
            ? action.template
            : (action.template[context.variant] ?? Object.values(action.template)[0]),
        ...(action.contactDueHours !== undefined ? { contactDueHours: action.contactDueHours } : {}),
        ...(action.category !== undefined ? { category: action.category } : {}),
      };
  }
}

/** Whether an event (or, in a simulation, a trigger named as the event's type) enters a journey. */
export function entersOn(
  definition: JourneyDefinition,
  type: string,
  data: Record<string, unknown>,
): boolean {
  if (definition.entry.trigger !== undefined) return type === definition.entry.trigger;
  return type === definition.entry.event && matches(data, definition.entry.match);
}

export interface SimulatedEvent {
  type: string;
  at: Date;
  data?: Record<string, unknown>;
}

export interface SimulationResult {
  variant: string;
  holdout: boolean;
  entered: boolean;
  timeline: Array<{
    at: string;
    input: string;
    path: string[];
    touches: JourneyEffect[];
    status: RunStatus;
    wakeAt: string | null;
  }>;
  converted: boolean;
  final: RunState | null;
}

/**
 * What would happen to a customer: the entry event and the events after it, in time order, with the clock
 * firing every due wait in between. No side effects.
 */
export function simulate(
  definition: JourneyDefinition,
  journeyId: string,
  customerId: string,
  attributes: CustomerAttributes,
  events: SimulatedEvent[],
  until?: Date,
): SimulationResult {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const assignment = assignVariant(definition, journeyId, customerId);
  const result: SimulationResult = {
    ...assignment,
    entered: false,
    timeline: [],
    converted: false,
    final: null,
  };
  let state: RunState | null = null;
  let enteredAt: Date | null = null;
  const record = (at: Date, input: string, step: Advance) => {
    result.timeline.push({
      at: at.toISOString(),
      input,
      path: step.path,
      touches: step.effects,
      status: step.state.status,
      wakeAt: step.state.wakeAt?.toISOString() ?? null,
    });
  };
  const fireTimersUntil = (time: Date) => {
    while (state && state.status === 'active' && state.wakeAt && state.wakeAt <= time) {
      const at: Date = state.wakeAt;
      const step = advance(definition, state, { kind: 'timer' }, { now: at, ...assignment, attributes });
      state = step.state;
      record(at, 'timer', step);
    }
  };
  for (const event of sorted) {
    const data = event.data ?? {};
    fireTimersUntil(event.at);
    if (!state) {
      if (entersOn(definition, event.type, data)) {
        result.entered = true;
        enteredAt = event.at;
        const step = advance(
          definition,
          initialState(definition),
          { kind: 'enter' },
          { now: event.at, ...assignment, attributes },
        );
        state = step.state;
        record(event.at, `enter (${event.type})`, step);
      }
      continue;
    }
    if (
      definition.goal &&
      enteredAt &&
      event.type === definition.goal.event &&
      matches(data, definition.goal.match) &&
      event.at.getTime() - enteredAt.getTime() <= definition.goal.withinDays * 86_400_000
    )
      result.converted = true;
    const step = advance(
      definition,
      state,
      { kind: 'event', type: event.type, data },
      { now: event.at, ...assignment, attributes },
    );
    state = step.state;
    record(event.at, event.type, step);
  }
  if (until) fireTimersUntil(until);
  result.final = state;
  return result;
}
