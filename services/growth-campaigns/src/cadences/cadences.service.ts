import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  OwnerTaskCreated,
  type CustomerStateV1,
  type EventEnvelope,
  type InteractionLoggedV1,
  type OwnerTaskKind,
} from '@crm/contracts';
import { isNews, OutboxPublisher } from '@crm/messaging';
import { counter } from '@crm/observability';
import { dueInSql, execute, queryOne, queryRows, ServiceClock } from '@crm/persistence';
import { notFound } from '@crm/service-kit';
import { CampaignsConfig } from '../campaigns.config';

/** Announced when a cadence timer is set, so the worker wakes for it. */
export const CADENCE_TIMERS_CHANNEL = 'crm_cadence_timers';

const tasksCreated = () => counter('crm_owner_tasks_total', 'Tasks put in owners queues', ['kind']);

interface CadenceRow {
  key: string;
  precedence: number;
  interval_days: number;
  description: string;
}

export interface CadenceView {
  key: string;
  precedence: number;
  intervalDays: number;
  description: string;
}

export interface OwnerTaskView {
  id: string;
  customerId: string;
  owner: string | null;
  kind: string;
  detail: string;
  dueAt: Date;
  createdAt: Date;
  overdue: boolean;
}

/** The memberships cadences are keyed by, from a state snapshot. */
export function cadenceMemberships(
  state: Pick<CustomerStateV1, 'valueTier' | 'valueLoyaltySegment'>,
): string[] {
  return [
    ...(state.valueLoyaltySegment ? [`value-loyalty:${state.valueLoyaltySegment}`] : []),
    ...(state.valueTier ? [`tier:${state.valueTier}`] : []),
  ];
}

/**
 * The maintenance calendar: each customer is on the first cadence (by precedence) their segment or tier
 * matches; any logged interaction (not an automated one) resets the timer; when it runs out with no contact,
 * the customer's owner gets a task (and `owner task created`), and the next period starts.
 */
@Injectable()
export class CadencesService {
  private cadences?: { rows: CadenceRow[]; readAt: number };

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly clock: ServiceClock,
    private readonly config: CampaignsConfig,
  ) {}

  private async all(manager: EntityManager | DataSource): Promise<CadenceRow[]> {
    if (this.cadences && Date.now() - this.cadences.readAt < 5_000) return this.cadences.rows;
    const rows = await queryRows<CadenceRow>(manager, 'SELECT * FROM cadences ORDER BY precedence, key');
    this.cadences = { rows, readAt: Date.now() };
    return rows;
  }

  async list(): Promise<CadenceView[]> {
    return (await this.all(this.dataSource)).map((r) => ({
      key: r.key,
      precedence: r.precedence,
      intervalDays: r.interval_days,
      description: r.description,
    }));
  }

  /** Changes a cadence's interval; timers on it are re-timed from their last contact. */
  async setInterval(key: string, intervalDays: number): Promise<CadenceView> {
    await this.dataSource.transaction(async (manager) => {
      const changed = await execute(manager, 'UPDATE cadences SET interval_days = $2 WHERE key = $1', [
        key,
        intervalDays,
      ]);
      if (changed === 0) throw notFound('cadence', key);
      await execute(
        manager,
        `UPDATE cadence_timers SET interval_days = $2, due_at = last_contact_at + make_interval(days => $2)
          WHERE cadence_key = $1`,
        [key, intervalDays],
      );
      await manager.query('SELECT pg_notify($1, current_schema())', [CADENCE_TIMERS_CHANNEL]);
    });
    this.cadences = undefined;
    return (await this.list()).find((c) => c.key === key)!;
  }

  async setOwner(manager: EntityManager, customerId: string, owner: string | undefined): Promise<void> {
    await this.setOwners(manager, [{ customerId, owner }]);
  }

  /** Account owners (each customer at most once; none given keeps the one there), with one statement. */
  async setOwners(
    manager: EntityManager,
    customers: Array<{ customerId: string; owner?: string }>,
  ): Promise<void> {
    const owned = customers.filter((c) => c.owner);
    if (owned.length === 0) return;
    await execute(
      manager,
      `INSERT INTO customer_owners (customer_id, owner)
       SELECT * FROM unnest($1::uuid[], $2::text[]) AS r(id, owner) ORDER BY id
       ON CONFLICT (customer_id) DO UPDATE SET owner = EXCLUDED.owner`,
      [owned.map((c) => c.customerId), owned.map((c) => c.owner)],
    );
  }

  /**
   * Segment or tier changes (state snapshots, each customer at most once) put customers on another cadence,
   * re-timed from the last contact; one statement, which tells the worker at commit when the soonest is due.
   */
  async onStates(manager: EntityManager, states: CustomerStateV1[]): Promise<void> {
    if (states.length === 0) return;
    const all = await this.all(manager);
    const cadences = states.map((state) => {
      const memberships = cadenceMemberships(state);
      return all.find((c) => memberships.includes(c.key));
    });
    const now = await this.clock.now(manager);
    await execute(
      manager,
      `WITH changed AS (
         INSERT INTO cadence_timers (customer_id, cadence_key, interval_days, last_contact_at, due_at)
         SELECT id, k, d, $4::timestamptz, $4::timestamptz + make_interval(days => d)
           FROM unnest($1::uuid[], $2::text[], $3::int[]) AS r(id, k, d) ORDER BY id
         ON CONFLICT (customer_id) DO UPDATE SET cadence_key = EXCLUDED.cadence_key, interval_days = EXCLUDED.interval_days,
           due_at = cadence_timers.last_contact_at + make_interval(days => EXCLUDED.interval_days)
         WHERE cadence_timers.cadence_key IS DISTINCT FROM EXCLUDED.cadence_key
         RETURNING due_at)
       SELECT pg_notify($5, current_schema() || ${dueInSql('min(due_at)', '$4::timestamptz')})
         FROM changed HAVING min(due_at) IS NOT NULL`,
      [
        states.map((s) => s.customerId),
        cadences.map((c) => c?.key ?? null),
        cadences.map((c) => c?.interval_days ?? null),
        now,
        CADENCE_TIMERS_CHANNEL,
      ],
    );
  }

  /**
   * A logged interaction resets the customer's cadence. A live one counts at the moment it arrives (the
   * campaigns clock); a historical one (an import) at the time it happened, and only if later than the last.
   */
  async onInteraction(manager: EntityManager, event: EventEnvelope<InteractionLoggedV1>): Promise<void> {
    if (event.data.automated) return;
    const contactAt = isNews(event, this.config.TRIGGER_RECENCY_HOURS)
      ? await this.clock.now(manager)
      : new Date(event.data.occurredAt);
    await execute(
      manager,
      `INSERT INTO cadence_timers (customer_id, last_contact_at) VALUES ($1, $2::timestamptz)
       ON CONFLICT (customer_id) DO UPDATE SET last_contact_at = greatest(cadence_timers.last_contact_at, EXCLUDED.last_contact_at),
         due_at = CASE WHEN cadence_timers.interval_days IS NULL THEN NULL
                       ELSE greatest(cadence_timers.last_contact_at, EXCLUDED.last_contact_at) + make_interval(days => cadence_timers.interval_days) END`,
      [event.data.customerId, contactAt],
    );
  }

  /** One round of due timers: a task per missed period, in the transaction that starts the next one. */
  async fireDue(limit = 100): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      const due = await queryRows<{
        customer_id: string;
        cadence_key: string;
        interval_days: number;
        due_at: Date;
        owner: string | null;
      }>(
        manager,
        `SELECT t.customer_id, t.cadence_key, t.interval_days, t.due_at, o.owner
           FROM cadence_timers t LEFT JOIN customer_owners o ON o.customer_id = t.customer_id
          WHERE t.due_at <= $1 ORDER BY t.due_at LIMIT $2 FOR UPDATE OF t SKIP LOCKED`,
        [now, limit],
      );
      for (const timer of due) {
        await this.createTask(manager, {
          customerId: timer.customer_id,
          owner: timer.owner,
          kind: 'cadence-missed',
          detail: `${timer.cadence_key}: no interaction in ${timer.interval_days} days`,
          dueAt: timer.due_at,
          now,
        });
        await execute(
          manager,
          'UPDATE cadence_timers SET due_at = due_at + make_interval(days => interval_days) WHERE customer_id = $1',
          [timer.customer_id],
        );
      }
      return due.length;
    });
  }

  /**
   * Puts a task in the owner's queue and announces it (`owner task created`), once per customer, kind and due
   * date; answers whether it was new.
   */
  async createTask(
    manager: EntityManager,
    task: {
      customerId: string;
      owner: string | null;
      kind: OwnerTaskKind;
      detail: string;
      dueAt: Date;
      now: Date;
    },
  ): Promise<boolean> {
    const id = randomUUID();
    const created = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO owner_tasks (id, customer_id, owner, kind, detail, due_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING id`,
      [id, task.customerId, task.owner, task.kind, task.detail, task.dueAt],
    );
    if (created.length === 0) return false;
    tasksCreated().inc({ kind: task.kind });
    await this.outbox.publish(
      manager,
      OwnerTaskCreated,
      {
        customerId: task.customerId,
        taskId: id,
        kind: task.kind,
        owner: task.owner ?? undefined,
        detail: task.detail,
        dueAt: task.dueAt.toISOString(),
        createdAt: task.now.toISOString(),
      },
      { subject: task.customerId, correlationId: id },
    );
    return true;
  }

  nextDueMs(): Promise<number | undefined> {
    return this.clock.msUntil('SELECT min(due_at) AS at FROM cadence_timers');
  }

  /** An owner's open tasks, the longest overdue first. */
  async tasksOf(owner: string): Promise<OwnerTaskView[]> {
    const now = await this.clock.now();
    const rows = await queryRows<{
      id: string;
      customer_id: string;
      owner: string | null;
      kind: string;
      detail: string;
      due_at: Date;
      created_at: Date;
    }>(
      this.dataSource,
      `SELECT id, customer_id, owner, kind, detail, due_at, created_at FROM owner_tasks
        WHERE owner = $1 AND status = 'open' ORDER BY due_at, id LIMIT 1000`,
      [owner],
    );
    return rows.map((r) => ({
      id: r.id,
      customerId: r.customer_id,
      owner: r.owner,
      kind: r.kind,
      detail: r.detail,
      dueAt: r.due_at,
      createdAt: r.created_at,
      overdue: r.due_at.getTime() <= now.getTime(),
    }));
  }

  async cadenceOf(customerId: string) {
    const row = await queryOne<{
      cadence_key: string | null;
      interval_days: number | null;
      last_contact_at: Date;
      due_at: Date | null;
    }>(
      this.dataSource,
      'SELECT cadence_key, interval_days, last_contact_at, due_at FROM cadence_timers WHERE customer_id = $1',
      [customerId],
    );
    if (!row) throw notFound('cadence timer of customer', customerId);
    return {
      customerId,
      cadence: row.cadence_key,
      intervalDays: row.interval_days,
      lastContactAt: row.last_contact_at,
      dueAt: row.due_at,
    };
  }

  /** Marks a task done (the owner got in touch). */
  async complete(taskId: string): Promise<void> {
    const changed = await execute(
      this.dataSource,
      "UPDATE owner_tasks SET status = 'done' WHERE id = $1 AND status = 'open'",
      [taskId],
    );
    if (changed === 0) throw notFound('open task', taskId);
  }
}
