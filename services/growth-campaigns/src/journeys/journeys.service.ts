import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ConsumerGroups,
  CustomerState,
  SUBSCRIPTIONS,
  PointsGrantRequested,
  TicketRequested,
  type CustomerStateV1,
  type EventEnvelope,
} from '@crm/contracts';
import { causedBy, causeOf, firesOn, isNews, OutboxPublisher, type Cause } from '@crm/messaging';
import { counter } from '@crm/observability';
import { dueIn, execute, queryOne, queryRows, ServiceClock } from '@crm/persistence';
import { invalidFields, notFound } from '@crm/service-kit';
import { PlaybookView } from '../care-actions/care-actions.repository';
import { CareActionsService } from '../care-actions/care-actions.service';
import { CampaignsConfig } from '../campaigns.config';
import {
  validateJourney,
  writtenTemplates,
  type JourneyDefinition,
  type JourneyProblem,
  eventTypesOf,
} from './journey-definition';
import { WRITTEN_CHANNELS } from '../care-actions/care-dispatcher';
import { TemplatesService } from '../templates/templates.service';
import { CadencesService } from '../cadences/cadences.service';
import {
  advance,
  assignVariant,
  initialState,
  matches,
  simulate,
  type Advance,
  type CustomerAttributes,
  type RunInput,
  type RunState,
  type SimulatedEvent,
  type SimulationResult,
} from './journey-engine';

/** Announced when a run gets a timer, so a worker wakes for it at once. */
export const JOURNEY_RUNS_CHANNEL = 'crm_journey_runs';
/** Journey definitions are re-read by each replica after this long (a PUT is seen at once where it was made). */
const HEADS_CACHE_MS = 5_000;

/** The event types journeys can use: those growth-campaigns consumes (contracts' SUBSCRIPTIONS). */
export const JOURNEY_EVENT_TYPES = Object.entries(SUBSCRIPTIONS)
  .filter(([, services]) => services.includes(ConsumerGroups.growthCampaigns))
  .map(([type]) => type);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const steps = () => counter('crm_journey_steps_total', 'Journey steps taken, by input', ['input']);
const entries = () =>
  counter('crm_journey_entries_total', 'Customers entering a journey', ['journey', 'variant']);

interface RunRow {
  id: string;
  journey_id: string;
  version: number;
  customer_id: string;
  variant: string;
  holdout: boolean;
  status: RunState['status'];
  step: string;
  steps: number;
  wake_at: Date | null;
  entry_event_id: string;
  entered_at: Date;
  goal_until: Date | null;
  converted_at: Date | null;
  /** Non-personal values the entering moment gave the touches' templates (a survey id). */
  variables: Record<string, string> | null;
}

export interface JourneyView {
  id: string;
  version: number;
  definition: JourneyDefinition;
  createdBy: string;
  createdAt: Date;
}

interface JourneyRow {
  id: string;
  version: number;
  definition: JourneyDefinition;
  created_by: string;
  created_at: Date;
}

const CURRENT_JOURNEYS = `SELECT j.* FROM journey_heads h JOIN journeys j ON j.id = h.id AND j.version = h.current_version`;

const journeyView = (row: JourneyRow): JourneyView => ({
  id: row.id,
  version: row.version,
  definition: row.definition,
  createdBy: row.created_by,
  createdAt: row.created_at,
});

/** A run's columns, as `RunRow` names them. */
const RUN_COLUMNS =
  'id, journey_id, version, customer_id, variant, holdout, status, step, steps, wake_at, entry_event_id, entered_at, goal_until, converted_at, variables';

const INSERTED_RUN_COLUMNS = RUN_COLUMNS.split(', ')
  .map((column) => `c.${column}`)
  .join(', ');

/** The customer attributes a step reads, of the customer `c.customer_id`. */
interface AttributesRow {
  time_zone: string | null;
  custom_segments: string[] | null;
  value_tier: string | null;
  value_loyalty_segment: string | null;
  membership_level: string | null;
  lifecycle_stage: string | null;
}
const ATTRIBUTE_COLUMNS =
  'p.time_zone, a.value_tier, a.value_loyalty_segment, a.membership_level, a.lifecycle_stage, a.custom_segments';
const ATTRIBUTE_JOINS = `LEFT JOIN customer_attributes a ON a.customer_id = c.customer_id
         LEFT JOIN contact_preferences p ON p.customer_id = c.customer_id`;

/** What a step reads besides the run's state: the time, the run's variant, the customer's attributes. */
const contextOf = (run: RunRow, now: Date, attributes: CustomerAttributes) => ({
  now,
  variant: run.variant,
  holdout: run.holdout,
  attributes,
});

const stateOf = (row: RunRow): RunState => ({
  status: row.status,
  step: row.step,
  wakeAt: row.wake_at,
  steps: row.steps,
});

/**
 * Runs journeys: enters customers on matching events (deterministic holdout and variant), moves their runs
 * on events (waits for an event, exits, conversions) and on the clock (the worker), and applies each step's
 * touches through the care policy in the transaction that stores the run, so each step happens once.
 */
@Injectable()
export class JourneysService {
  private heads?: {
    journeys: Array<{ id: string; version: number; definition: JourneyDefinition }>;
    /** The event types any stored version reacts to (runs may be in older versions). */
    relevant: Set<string>;
    readAt: number;
  };
  private readonly definitions = new Map<string, JourneyDefinition>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly careActions: CareActionsService,
    private readonly config: CampaignsConfig,
    private readonly clock: ServiceClock,
    private readonly templates: TemplatesService,
    private readonly cadences: CadencesService,
    private readonly outbox: OutboxPublisher,
  ) {}

  /** The journeys clock (ServiceClock): real time, moved in tests. */
  now(manager: EntityManager | DataSource = this.dataSource): Promise<Date> {
    return this.clock.now(manager);
  }

  // ---- definitions ----

  problems(definition: unknown): JourneyProblem[] {
    const problems = validateJourney(definition);
    const d = definition as Partial<JourneyDefinition>;
    const used = [
      d.entry?.event,
      d.goal?.event,
      ...(d.exitOn ?? []),
      ...Object.values(d.steps ?? {}).map((s) => (s as { event?: string }).event),
    ];
    for (const type of used)
      if (
        typeof type === 'string' &&
        !JOURNEY_EVENT_TYPES.includes(type) &&
        !problems.some((p) => p.message.includes(type))
      )
        problems.push({
          field: 'entry',
          message: `${type} is not an event journeys can use (${JOURNEY_EVENT_TYPES.join(', ')})`,
        });
    return problems;
  }

  /** Stores a new version when the definition changed; customers in an earlier version finish it. */
  async put(id: string, definition: unknown, actor: string): Promise<JourneyView> {
    const problems = this.problems(definition);
    if (problems.length === 0) {
      // Written touches need their template (in some locale) before the journey can run.
      const used = writtenTemplates(definition as JourneyDefinition, WRITTEN_CHANNELS);
      const missing = new Set(await this.templates.missing([...new Set(used.map((u) => u.template))]));
      for (const { step, template } of used)
        if (missing.has(template))
          problems.push({
            field: `steps.${step}`,
            message: `template ${template} does not exist (PUT /campaigns/templates/${template}/en first)`,
          });
    }
    if (problems.length > 0)
      throw invalidFields(
        problems.map((p) => ({ field: p.field, messages: [p.message] })),
        'INVALID_JOURNEY',
      );
    const saved = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`journey:${id}`]);
      // jsonb equality: the same definition, whatever the order of its keys, is the same version.
      const current = await queryOne<{ version: number; same: boolean; deleted_at: Date | null }>(
        manager,
        `SELECT j.version, j.definition = $2::jsonb AS same, h.deleted_at
           FROM journey_heads h JOIN journeys j ON j.id = h.id AND j.version = h.current_version
          WHERE h.id = $1`,
        [id, JSON.stringify(definition)],
      );
      if (current && !current.deleted_at && current.same) return current.version;
      const version = await queryOne<{ v: number }>(
        manager,
        'SELECT coalesce(max(version), 0) + 1 AS v FROM journeys WHERE id = $1',
        [id],
      );
      await execute(
        manager,
        'INSERT INTO journeys (id, version, definition, created_by) VALUES ($1, $2, $3, $4)',
        [id, version!.v, JSON.stringify(definition), actor],
      );
      await execute(
        manager,
        `INSERT INTO journey_heads (id, current_version) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET current_version = EXCLUDED.current_version, deleted_at = NULL, updated_at = now()`,
        [id, version!.v],
      );
      await this.audit(manager, id, version!.v, 'created', actor);
      return version!.v;
    });
    this.heads = undefined;
    return this.get(id, saved);
  }

  async get(id: string, version?: number): Promise<JourneyView> {
    const row = await queryOne<JourneyRow>(
      this.dataSource,
      version
        ? 'SELECT * FROM journeys WHERE id = $1 AND version = $2'
        : `${CURRENT_JOURNEYS} WHERE h.id = $1 AND h.deleted_at IS NULL`,
      version ? [id, version] : [id],
    );
    if (!row) throw notFound('journey', id);
    return journeyView(row);
  }

  async list(): Promise<JourneyView[]> {
    const rows = await queryRows<JourneyRow>(
      this.dataSource,
      `${CURRENT_JOURNEYS} WHERE h.deleted_at IS NULL ORDER BY j.id`,
    );
    return rows.map(journeyView);
  }

  /** No one enters any more; customers in it finish their version. */
  async remove(id: string, actor = 'unknown'): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const head = await queryOne<{ current_version: number }>(
        manager,
        'UPDATE journey_heads SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING current_version',
        [id],
      );
      if (!head) throw notFound('journey', id);
      await this.audit(manager, id, head.current_version, 'removed', actor);
    });
    this.heads = undefined;
  }

  /** Every version of a journey, newest first, and which one customers enter now. */
  async versions(id: string) {
    const rows = await queryRows<JourneyRow & { current: boolean }>(
      this.dataSource,
      `SELECT j.*, (h.current_version = j.version AND h.deleted_at IS NULL) AS current
         FROM journeys j JOIN journey_heads h ON h.id = j.id WHERE j.id = $1 ORDER BY j.version DESC`,
      [id],
    );
    if (rows.length === 0) throw notFound('journey', id);
    return rows.map((r) => ({
      version: r.version,
      createdBy: r.created_by,
      createdAt: r.created_at,
      current: r.current,
    }));
  }

  /** Who made which version live, and when: created, activated again, removed. */
  async history(id: string) {
    const rows = await queryRows<{ version: number; action: string; actor: string; changed_at: Date }>(
      this.dataSource,
      'SELECT version, action, actor, changed_at FROM journey_changes WHERE journey_id = $1 ORDER BY id DESC LIMIT 200',
      [id],
    );
    return rows.map((r) => ({
      version: r.version,
      action: r.action,
      actor: r.actor,
      changedAt: r.changed_at,
    }));
  }

  /**
   * Rolls a journey back (or forward) to a stored version: new entries follow it; customers already in
   * another version finish that one. Versions never change, so this is exact.
   */
  async activate(id: string, version: number, actor: string): Promise<JourneyView> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`journey:${id}`]);
      const exists = await queryOne<{ version: number }>(
        manager,
        'SELECT version FROM journeys WHERE id = $1 AND version = $2',
        [id, version],
      );
      if (!exists) throw notFound('journey version', `${id}@${version}`);
      await execute(
        manager,
        'UPDATE journey_heads SET current_version = $2, deleted_at = NULL, updated_at = now() WHERE id = $1',
        [id, version],
      );
      await this.audit(manager, id, version, 'activated', actor);
    });
    this.heads = undefined;
    return this.get(id, version);
  }

  private async audit(manager: EntityManager, id: string, version: number, action: string, actor: string) {
    await execute(
      manager,
      'INSERT INTO journey_changes (journey_id, version, action, actor) VALUES ($1, $2, $3, $4)',
      [id, version, action, actor],
    );
  }

  private async activeJourneys(manager: EntityManager) {
    return (await this.loadHeads(manager)).journeys;
  }

  private async loadHeads(manager: EntityManager) {
    if (this.heads && Date.now() - this.heads.readAt < HEADS_CACHE_MS) return this.heads;
    const rows = await queryRows<{
      id: string;
      version: number;
      definition: JourneyDefinition;
      current: boolean;
    }>(
      manager,
      `SELECT j.id, j.version, j.definition, (h.current_version = j.version AND h.deleted_at IS NULL) AS current
         FROM journeys j JOIN journey_heads h ON h.id = j.id`,
    );
    this.heads = {
      journeys: rows
        .filter((r) => r.current)
        .map(({ id, version, definition }) => ({ id, version, definition })),
      relevant: new Set(rows.flatMap((r) => eventTypesOf(r.definition))),
      readAt: Date.now(),
    };
    return this.heads;
  }

  private async definition(manager: EntityManager, id: string, version: number): Promise<JourneyDefinition> {
    const key = `${id}@${version}`;
    const cached = this.definitions.get(key);
    if (cached) return cached;
    const row = await queryOne<{ definition: JourneyDefinition }>(
      manager,
      'SELECT definition FROM journeys WHERE id = $1 AND version = $2',
      [id, version],
    );
    if (!row) throw new Error(`journey ${key} is missing`);
    this.definitions.set(key, row.definition);
    return row.definition;
  }

  private async ownerOf(manager: EntityManager, customerId: string): Promise<string | undefined> {
    const row = await queryOne<{ owner: string }>(
      manager,
      'SELECT owner FROM customer_owners WHERE customer_id = $1',
      [customerId],
    );
    return row?.owner;
  }

  private async attributes(manager: EntityManager, customerId: string): Promise<CustomerAttributes> {
    const row = await queryOne<AttributesRow>(
      manager,
      `SELECT ${ATTRIBUTE_COLUMNS}
         FROM (SELECT $1::uuid AS customer_id) c ${ATTRIBUTE_JOINS}`,
      [customerId],
    );
    return this.attributesOf(row);
  }

  private attributesOf(row: AttributesRow | undefined): CustomerAttributes {
    return {
      timeZone: row?.time_zone ?? this.config.CONTACT_DEFAULT_TIME_ZONE,
      customSegments: row?.custom_segments ?? [],
      valueTier: row?.value_tier ?? undefined,
      valueLoyaltySegment: row?.value_loyalty_segment ?? undefined,
      membershipLevel: row?.membership_level ?? undefined,
      lifecycleStage: row?.lifecycle_stage ?? undefined,
    };
  }

  // ---- events ----

  /** Called for every event growth-campaigns consumes, in its transaction. */
  async onEvent(manager: EntityManager, event: EventEnvelope): Promise<void> {
    if (event.type === CustomerState.type)
      await this.saveAttributes(manager, [event.data as CustomerStateV1]);
    await this.react(manager, event);
  }

  /**
   * Snapshots of the state topic, each customer at most once: their attributes stored with one statement,
   * then each event as `onEvent` would take it.
   */
  async onStates(manager: EntityManager, events: EventEnvelope<CustomerStateV1>[]): Promise<void> {
    await this.saveAttributes(
      manager,
      events.map((e) => e.data),
    );
    for (const event of events) await this.react(manager, event);
  }

  /** An event's runs (exits, waits, conversions) and entries, once the attributes a snapshot carries are stored. */
  private async react(manager: EntityManager, event: EventEnvelope): Promise<void> {
    const customerId = event.subject;
    if (!UUID.test(customerId)) return;
    const heads = await this.loadHeads(manager);
    // Most events concern no journey at all (no entry, goal, exit or wait names them): nothing to read.
    if (!heads.relevant.has(event.type)) return;
    // Journeys entered on a trigger (the playbooks) are entered by onTrigger, not here.
    const journeys = heads.journeys.filter((j) => j.definition.entry.event !== undefined);
    if (journeys.length === 0 && !(await this.hasRuns(manager))) return;
    const data = event.data as Record<string, unknown>;
    const now = await this.now(manager);
    // History is not news: a historical or long-past event enters nobody, converts nobody and ends no wait;
    // it can still end a run (an erasure is an erasure).
    const news = isNews(event, this.config.TRIGGER_RECENCY_HOURS);
    // Runs of this customer: exits, waits for this event, conversions.
    const runs = await queryRows<RunRow>(
      manager,
      `SELECT ${RUN_COLUMNS} FROM journey_runs
        WHERE customer_id = $1 AND (status = 'active' OR goal_until > $2) ORDER BY entered_at FOR UPDATE`,
      [customerId, now],
    );
    for (const run of runs) {
      const definition = await this.definition(manager, run.journey_id, run.version);
      const goal = definition.goal;
      if (
        news &&
        goal &&
        !run.converted_at &&
        run.goal_until &&
        run.goal_until > now &&
        event.type === goal.event &&
        matches(data, goal.match)
      )
        await execute(manager, 'UPDATE journey_runs SET converted_at = $2 WHERE id = $1', [run.id, now]);
      if (run.status !== 'active') continue;
      const exits = (definition.exitOn ?? []).includes(event.type);
      if (!news && !exits) continue;
      // Only an exit or the event the run waits for moves it: skip reading its context otherwise.
      const waiting = definition.steps[run.step];
      if (!exits && !(waiting?.type === 'waitForEvent' && waiting.event === event.type)) continue;
      const step = advance(
        definition,
        stateOf(run),
        { kind: 'event', type: event.type, data },
        await this.context(manager, run, now),
      );
      await this.store(manager, run, step, event.type, now, causeOf(event), event.id);
    }
    // Entries.
    if (!news) return;
    for (const journey of journeys) {
      if (journey.definition.entry.event !== event.type || !matches(data, journey.definition.entry.match))
        continue;
      if (runs.some((r) => r.journey_id === journey.id && r.status === 'active')) continue;
      await this.enter(manager, journey, customerId, event, now);
    }
  }

  /**
   * A moment the platform derived (`JOURNEY_TRIGGERS`: a first purchase, a tier upgrade, a date …) enters
   * every journey that starts on it, once per event; the seeded care playbooks are such journeys. History is
   * not news: a historical or long-past cause enters nobody.
   */
  async onTrigger(
    manager: EntityManager,
    trigger: string,
    event: EventEnvelope,
    customerId: string,
    variables?: Record<string, string>,
  ): Promise<void> {
    if (!firesOn(event, trigger, this.config.TRIGGER_RECENCY_HOURS)) return;
    const journeys = (await this.activeJourneys(manager)).filter(
      (j) => j.definition.entry.trigger === trigger,
    );
    if (journeys.length === 0) return;
    const now = await this.now(manager);
    for (const journey of journeys) await this.enter(manager, journey, customerId, event, now, variables);
  }

  /** The journeys entered on a trigger with one touch: what the platform used to call playbooks. */
  async playbooks(): Promise<PlaybookView[]> {
    const rows = await queryRows<{ id: string; definition: JourneyDefinition; deleted_at: Date | null }>(
      this.dataSource,
      `SELECT j.id, j.definition, h.deleted_at FROM journey_heads h
         JOIN journeys j ON j.id = h.id AND j.version = h.current_version
        WHERE j.definition->'entry' ? 'trigger' ORDER BY j.id`,
    );
    return rows.flatMap(({ id, definition, deleted_at }) => {
      const first = definition.steps[definition.start];
      if (first?.type !== 'action' || first.action.kind !== 'touch') return [];
      const touch = first.action;
      return [
        {
          id: definition.playbook ?? id,
          journey: id,
          trigger: definition.entry.trigger!,
          action: typeof touch.template === 'string' ? touch.template : Object.values(touch.template)[0],
          purpose: touch.purpose,
          channel: touch.channel,
          contactDueHours: touch.contactDueHours ?? null,
          category: touch.category ?? null,
          enabled: deleted_at === null,
          description: definition.description ?? definition.name,
        },
      ];
    });
  }

  private hasRunsCache?: { value: boolean; readAt: number };

  /** Whether any run is active (journeys deleted while customers are still in them). */
  private async hasRuns(manager: EntityManager): Promise<boolean> {
    if (this.hasRunsCache && Date.now() - this.hasRunsCache.readAt < HEADS_CACHE_MS)
      return this.hasRunsCache.value;
    const row = await queryOne(manager, "SELECT 1 FROM journey_runs WHERE status = 'active' LIMIT 1");
    this.hasRunsCache = { value: Boolean(row), readAt: Date.now() };
    return Boolean(row);
  }

  /** The attributes journeys branch on, from state snapshots (each customer at most once): a newer revision wins. */
  private async saveAttributes(manager: EntityManager, states: CustomerStateV1[]): Promise<void> {
    if (states.length === 0) return;
    await execute(
      manager,
      `INSERT INTO customer_attributes (customer_id, revision, value_tier, value_loyalty_segment, membership_level, lifecycle_stage, custom_segments)
       SELECT id, rev, tier, vl, ml, stage, ARRAY(SELECT jsonb_array_elements_text(cs))
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
           AS r(id, rev, tier, vl, ml, stage, cs)
        ORDER BY id
       ON CONFLICT (customer_id) DO UPDATE SET revision = EXCLUDED.revision, value_tier = EXCLUDED.value_tier,
         value_loyalty_segment = EXCLUDED.value_loyalty_segment, membership_level = EXCLUDED.membership_level,
         lifecycle_stage = EXCLUDED.lifecycle_stage, custom_segments = EXCLUDED.custom_segments
       WHERE customer_attributes.revision < EXCLUDED.revision`,
      [
        states.map((s) => s.customerId),
        states.map((s) => s.revision),
        states.map((s) => s.valueTier ?? null),
        states.map((s) => s.valueLoyaltySegment ?? null),
        states.map((s) => s.membershipLevel ?? null),
        states.map((s) => s.lifecycleStage ?? null),
        states.map((s) => JSON.stringify(s.customSegments ?? [])),
      ],
    );
  }

  private async enter(
    manager: EntityManager,
    journey: { id: string; version: number; definition: JourneyDefinition },
    customerId: string,
    event: EventEnvelope,
    now: Date,
    variables?: Record<string, string>,
  ): Promise<void> {
    const { variant, holdout } = assignVariant(journey.definition, journey.id, customerId);
    const id = randomUUID();
    const state = initialState(journey.definition);
    const goalUntil = journey.definition.goal
      ? new Date(now.getTime() + journey.definition.goal.withinDays * 86_400_000)
      : null;
    // The run and the customer's attributes its first step reads, in one statement (the columns named, so
    // that the statement is prepared; the attributes as of this statement, as a read just after it saw them).
    const inserted = await queryRows<RunRow & AttributesRow>(
      manager,
      `WITH inserted AS (
         INSERT INTO journey_runs (id, journey_id, version, customer_id, variant, holdout, status, step, steps,
                                   entry_event_id, entered_at, goal_until, variables)
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, 0, $8, $9, $10, $11) ON CONFLICT DO NOTHING
         RETURNING ${RUN_COLUMNS})
       SELECT ${INSERTED_RUN_COLUMNS}, ${ATTRIBUTE_COLUMNS}
         FROM inserted c ${ATTRIBUTE_JOINS}`,
      [
        id,
        journey.id,
        journey.version,
        customerId,
        variant,
        holdout,
        state.step,
        event.id,
        now,
        goalUntil,
        variables ? JSON.stringify(variables) : null,
      ],
    );
    if (inserted.length === 0) return;
    entries().inc({ journey: journey.id, variant });
    this.hasRunsCache = { value: true, readAt: Date.now() };
    const run = inserted[0];
    const step = advance(
      journey.definition,
      stateOf(run),
      { kind: 'enter' },
      contextOf(run, now, this.attributesOf(run)),
    );
    await this.store(manager, run, step, `enter (${event.type})`, now, causeOf(event), event.id);
  }

  private async context(manager: EntityManager, run: RunRow, now: Date) {
    return contextOf(run, now, await this.attributes(manager, run.customer_id));
  }

  /** Applies a step's touches and stores the run and its path: all in the caller's transaction. */
  private async store(
    manager: EntityManager,
    run: RunRow,
    step: Advance,
    input: string,
    now: Date,
    cause: Cause,
    triggerEventId: string,
  ): Promise<void> {
    if (step.path.length === 0 && step.state.status === run.status) return;
    const definition = await this.definition(manager, run.journey_id, run.version);
    const decisions: Array<{
      step: string;
      template?: string;
      channel?: string;
      task?: string;
      outcome: string;
    }> = [];
    for (const effect of step.effects) {
      if (effect.kind === 'points') {
        if (!effect.holdout)
          await this.outbox.publish(
            manager,
            PointsGrantRequested,
            {
              customerId: run.customer_id,
              requestId: uuidFrom(`journey:${run.id}:${effect.sequence}`),
              points: effect.points,
              reason: effect.reason,
              requestedBy: `journey:${run.journey_id}`.slice(0, 80),
            },
            causedBy(run.customer_id, cause),
          );
        decisions.push({
          step: effect.step,
          task: `points: ${effect.points} (${effect.reason})`,
          outcome: effect.holdout ? 'held-out' : 'points-requested',
        });
        continue;
      }
      if (effect.kind === 'ticket') {
        if (!effect.holdout)
          await this.outbox.publish(
            manager,
            TicketRequested,
            {
              customerId: run.customer_id,
              requestId: uuidFrom(`journey:${run.id}:${effect.sequence}`),
              ticketType: effect.ticketType,
              priority: effect.priority,
              subject: effect.subject,
              owner: await this.ownerOf(manager, run.customer_id),
              requestedBy: `journey:${run.journey_id}`.slice(0, 80),
            },
            causedBy(run.customer_id, cause),
          );
        decisions.push({
          step: effect.step,
          task: `ticket: ${effect.subject}`,
          outcome: effect.holdout ? 'held-out' : 'ticket-requested',
        });
        continue;
      }
      if (effect.kind === 'task') {
        // A task for the owner is a treatment too: a held-out customer's owner is not asked.
        const created =
          !effect.holdout &&
          (await this.cadences.createTask(manager, {
            customerId: run.customer_id,
            owner: (await this.ownerOf(manager, run.customer_id)) ?? null,
            kind: 'journey-task',
            detail: `${run.journey_id}: ${effect.detail}`.slice(0, 200),
            dueAt: now,
            now,
          }));
        decisions.push({
          step: effect.step,
          task: effect.detail,
          outcome: effect.holdout ? 'held-out' : created ? 'task-created' : 'duplicate',
        });
        continue;
      }
      const outcome = effect.holdout
        ? 'held-out'
        : await this.careActions.decideTouch(
            manager,
            {
              source: definition.playbook ?? `journey:${run.journey_id}`,
              action: effect.template,
              purpose: effect.purpose,
              channel: effect.channel,
              contactDueHours: effect.contactDueHours ?? null,
              category: effect.category ?? null,
              template: effect.template,
              // A journey without variants has one; its touches name none.
              variant: definition.variants?.length ? run.variant : undefined,
              variables: run.variables ?? undefined,
            },
            { idempotencyKey: `journey:${run.id}:${effect.sequence}`, triggerEventId, cause },
            run.customer_id,
            now,
          );
      decisions.push({ step: effect.step, template: effect.template, channel: effect.channel, outcome });
    }
    const finished = step.state.status !== 'active';
    // The run's new state, its log entry and, for a timer, the timers worker's wake-up (saying when it is due)
    // in one round trip (a data-modifying WITH always runs).
    await execute(
      manager,
      `WITH stored AS (
         UPDATE journey_runs SET status = $2, step = $3, steps = $4, wake_at = $5, finished_at = $6, exit_reason = $7
          WHERE id = $1)
       INSERT INTO journey_run_log (run_id, seq, at, input, path, touches)
       VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM journey_run_log WHERE run_id = $1), $8, $9, $10, $11)
       RETURNING (SELECT pg_notify($12, current_schema() || $13) WHERE $13::text IS NOT NULL)`,
      [
        run.id,
        step.state.status,
        step.state.step,
        step.state.steps,
        step.state.wakeAt,
        finished ? now : null,
        step.state.exitReason ?? null,
        now,
        input,
        step.path,
        JSON.stringify(decisions),
        JOURNEY_RUNS_CHANNEL,
        step.state.wakeAt ? dueIn(new Date(step.state.wakeAt).getTime() - now.getTime()) : null,
      ],
    );
    steps().inc(
      { input: input.startsWith('enter') ? 'enter' : input === 'timer' ? 'timer' : 'event' },
      Math.max(1, step.path.length),
    );
  }

  // ---- the clock ----

  /** One round of due timers: each run claimed (SKIP LOCKED), advanced and stored in one transaction. */
  async fireDue(limit = 100): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = await this.now(manager);
      const due = await queryRows<RunRow>(
        manager,
        `SELECT ${RUN_COLUMNS} FROM journey_runs
          WHERE status = 'active' AND wake_at <= $1 ORDER BY wake_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, limit],
      );
      for (const run of due) {
        const definition = await this.definition(manager, run.journey_id, run.version);
        const step = advance(
          definition,
          stateOf(run),
          { kind: 'timer' } as RunInput,
          await this.context(manager, run, now),
        );
        await this.store(
          manager,
          run,
          step,
          'timer',
          now,
          { correlationId: run.id, runId: run.id },
          run.entry_event_id,
        );
      }
      return due.length;
    });
  }

  /** Milliseconds (of the journeys clock) until the next timer, if any. */
  nextDueMs(): Promise<number | undefined> {
    return this.clock.msUntil("SELECT min(wake_at) AS at FROM journey_runs WHERE status = 'active'");
  }

  // ---- reading ----

  async simulate(
    id: string,
    customerId: string,
    attributes: CustomerAttributes,
    events: SimulatedEvent[],
    until?: Date,
  ): Promise<SimulationResult & { version: number }> {
    const journey = await this.get(id);
    return {
      version: journey.version,
      ...simulate(journey.definition, id, customerId, attributes, events, until),
    };
  }

  async runsOf(customerId: string) {
    const rows = await queryRows<RunRow & { log: unknown }>(
      this.dataSource,
      `SELECT r.*, (SELECT json_agg(l ORDER BY l.seq) FROM journey_run_log l WHERE l.run_id = r.id) AS log
         FROM journey_runs r WHERE r.customer_id = $1 ORDER BY r.entered_at`,
      [customerId],
    );
    return rows.map((r) => ({
      id: r.id,
      journeyId: r.journey_id,
      version: r.version,
      variant: r.variant,
      holdout: r.holdout,
      status: r.status,
      step: r.step,
      wakeAt: r.wake_at,
      enteredAt: r.entered_at,
      convertedAt: r.converted_at,
      log:
        (r.log as Array<{
          seq: number;
          at: string;
          input: string;
          path: string[];
          touches: unknown[];
        }> | null) ?? [],
    }));
  }

  /** Entered, in progress, exited, completed, converted and the conversion rate (Wilson 95 %) per variant. */
  async report(id: string, from: Date, to: Date) {
    await this.get(id);
    const rows = await queryRows<{
      variant: string;
      entered: number;
      in_progress: number;
      exited: number;
      completed: number;
      converted: number;
    }>(
      this.dataSource,
      `SELECT variant, count(*)::int AS entered, count(*) FILTER (WHERE status = 'active')::int AS in_progress,
              count(*) FILTER (WHERE status = 'exited')::int AS exited, count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE converted_at IS NOT NULL)::int AS converted
         FROM journey_runs WHERE journey_id = $1 AND entered_at >= $2 AND entered_at < $3 GROUP BY variant ORDER BY variant`,
      [id, from, to],
    );
    return {
      journeyId: id,
      from,
      to,
      variants: rows.map((r) => ({
        variant: r.variant,
        entered: r.entered,
        inProgress: r.in_progress,
        exited: r.exited,
        completed: r.completed,
        converted: r.converted,
        conversionRate: r.entered > 0 ? r.converted / r.entered : 0,
        confidence95: wilson(r.converted, r.entered),
      })),
    };
  }
}

/** A UUID derived from a key (v4 layout): the same key, the same id. */
export function uuidFrom(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The Wilson score interval of a proportion at 95 %. */
export function wilson(successes: number, trials: number): { low: number; high: number } {
  if (trials === 0) return { low: 0, high: 1 };
  const z = 1.959964;
  const p = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = p + (z * z) / (2 * trials);
  const margin = z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials));
  return {
    low: Math.max(0, (centre - margin) / denominator),
    high: Math.min(1, (centre + margin) / denominator),
  };
}
