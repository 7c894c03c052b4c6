import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EventEnvelope, InteractionLoggedV1 } from '@crm/contracts';
import { isNews } from '@crm/messaging';
import { dueInSql, execute, queryRows, ServiceClock } from '@crm/persistence';
import { CampaignsConfig } from '../campaigns.config';
import { CADENCE_TIMERS_CHANNEL, CadencesService } from './cadences.service';

/**
 * Contact deadlines (handbook §4-§5): an interaction's follow-up date (`followUpDueAt`) and a care action's
 * contact deadline (`contact_due_at`, a win-back call within 24 h). Any contact logged with the customer after
 * the deadline was set meets it (automated touches do not); when one comes due unmet, the owner (the
 * interaction's, else the customer's) gets a task and `owner task created` is published. Durable rows fired
 * by the campaign timers worker, once, like cadences.
 */
@Injectable()
export class ContactDeadlinesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cadences: CadencesService,
    private readonly clock: ServiceClock,
    private readonly config: CampaignsConfig,
  ) {}

  /** A care action with a contact deadline: contact must be logged before it. */
  async onCareAction(
    manager: EntityManager,
    action: { careActionId: string; customerId: string; action: string; contactDueAt: Date },
    now: Date,
  ): Promise<void> {
    await this.open(manager, {
      id: `contact:${action.careActionId}`,
      customerId: action.customerId,
      kind: 'contact-overdue',
      owner: null,
      detail: `${action.action}: no contact logged by the deadline`,
      since: now,
      dueAt: action.contactDueAt,
    });
  }

  /**
   * A logged contact meets the customer's open deadlines set before it; its own follow-up date (a live,
   * non-automated interaction) opens a new one. History is not news: an imported interaction opens nothing.
   */
  async onInteraction(manager: EntityManager, event: EventEnvelope<InteractionLoggedV1>): Promise<void> {
    const interaction = event.data;
    if (interaction.automated) return;
    const news = isNews(event, this.config.TRIGGER_RECENCY_HOURS);
    const contactAt = news ? await this.clock.now(manager) : new Date(interaction.occurredAt);
    await execute(
      manager,
      `UPDATE contact_deadlines SET met_at = $2 WHERE customer_id = $1 AND met_at IS NULL AND fired_at IS NULL AND since < $2`,
      [interaction.customerId, contactAt],
    );
    if (!news || !interaction.followUpDueAt) return;
    // A date from outside is real time; on a clock moved forward (tests) it keeps its distance from now.
    const dueAt = new Date(Date.parse(interaction.followUpDueAt) + (contactAt.getTime() - Date.now()));
    await this.open(manager, {
      id: `follow-up:${interaction.interactionId}`,
      customerId: interaction.customerId,
      kind: 'follow-up-overdue',
      owner: interaction.owner ?? null,
      detail: `follow-up of the ${interaction.channel} interaction ${interaction.interactionId} is overdue`,
      since: contactAt,
      dueAt,
    });
  }

  /** A customer's contact deadlines, the latest first: open, met or turned into a task. */
  async deadlinesOf(customerId: string) {
    const rows = await queryRows<{
      id: string;
      kind: string;
      owner: string | null;
      detail: string;
      since: Date;
      due_at: Date;
      met_at: Date | null;
      fired_at: Date | null;
    }>(
      this.dataSource,
      'SELECT * FROM contact_deadlines WHERE customer_id = $1 ORDER BY due_at DESC LIMIT 200',
      [customerId],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      owner: r.owner,
      detail: r.detail,
      since: r.since,
      dueAt: r.due_at,
      metAt: r.met_at,
      taskCreatedAt: r.fired_at,
      status: r.met_at ? 'met' : r.fired_at ? 'overdue' : 'open',
    }));
  }

  /** Opens a deadline (`since` is the campaigns clock's now) and tells the timers worker when it is due. */
  private async open(
    manager: EntityManager,
    deadline: {
      id: string;
      customerId: string;
      kind: 'follow-up-overdue' | 'contact-overdue';
      owner: string | null;
      detail: string;
      since: Date;
      dueAt: Date;
    },
  ): Promise<void> {
    await execute(
      manager,
      `INSERT INTO contact_deadlines (id, customer_id, kind, owner, detail, since, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO NOTHING
       RETURNING (SELECT pg_notify($8, current_schema() || ${dueInSql('due_at', 'since')}))`,
      [
        deadline.id,
        deadline.customerId,
        deadline.kind,
        deadline.owner,
        deadline.detail,
        deadline.since,
        deadline.dueAt,
        CADENCE_TIMERS_CHANNEL,
      ],
    );
  }

  /** One round: each due, unmet deadline becomes a task, in the transaction that marks it fired. */
  async fireDue(limit = 100): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      const due = await queryRows<{
        id: string;
        customer_id: string;
        kind: 'follow-up-overdue' | 'contact-overdue';
        owner: string | null;
        detail: string;
        due_at: Date;
      }>(
        manager,
        `SELECT d.id, d.customer_id, d.kind, coalesce(d.owner, o.owner) AS owner, d.detail, d.due_at
           FROM contact_deadlines d LEFT JOIN customer_owners o ON o.customer_id = d.customer_id
          WHERE d.due_at <= $1 AND d.met_at IS NULL AND d.fired_at IS NULL
          ORDER BY d.due_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED`,
        [now, limit],
      );
      for (const deadline of due) {
        await this.cadences.createTask(manager, {
          customerId: deadline.customer_id,
          owner: deadline.owner,
          kind: deadline.kind,
          detail: deadline.detail,
          dueAt: deadline.due_at,
          now,
        });
        await execute(manager, 'UPDATE contact_deadlines SET fired_at = $2 WHERE id = $1', [
          deadline.id,
          now,
        ]);
      }
      return due.length;
    });
  }

  nextDueMs(): Promise<number | undefined> {
    return this.clock.msUntil(
      'SELECT min(due_at) AS at FROM contact_deadlines WHERE met_at IS NULL AND fired_at IS NULL',
    );
  }
}
