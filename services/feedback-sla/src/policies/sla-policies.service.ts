import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { invalid, invalidFields, notFound } from '@crm/service-kit';
import { calendarProblems, type BusinessCalendar } from '../calendars/business-calendar';
import { CalendarsRepository } from '../calendars/calendars.repository';
import { TicketsService } from '../tickets/tickets.service';
import type { SlaPolicy } from './sla-policy';
import { SlaPoliciesRepository } from './sla-policies.repository';

export type ConfigKind = 'sla-policy' | 'calendar';

export interface ConfigVersion {
  kind: ConfigKind;
  id: string;
  version: number;
  /** Null: removed in this version. */
  definition: SlaPolicy | (BusinessCalendar & { description?: string }) | null;
  changedBy: string;
  reason: string;
  changedAt: string;
}

interface TicketTiming {
  id: string;
  policy_id: string;
  first_response_due_at: Date | null;
  next_response_due_at: Date | null;
  resolution_due_at: Date | null;
}

export interface PolicyImpact {
  openTickets: number;
  /** Open tickets whose policy or deadlines the change would move. */
  retimed: number;
  /** Tickets that would be timed by another policy, e.g. `{ "standard → vip-fast": 3 }`. */
  policyMoves: Record<string, number>;
  sample: Array<{
    ticketId: string;
    policy: { before: string; after: string };
    firstResponseDueAt: { before: string | null; after: string | null };
    resolutionDueAt: { before: string | null; after: string | null };
  }>;
}

/** A preview runs the real change and rolls it back; this carries its answer out of the transaction. */
class PreviewDone extends Error {
  constructor(readonly impact: PolicyImpact) {
    super('preview rolled back');
  }
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/**
 * SLA policies and business calendars are data; every change re-times the open tickets in its transaction.
 * Policies follow the configuration convention: each change is a numbered version (who, why), a change can
 * be previewed against the open tickets before it is made, and an earlier version restored.
 */
@Injectable()
export class SlaPoliciesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: SlaPoliciesRepository,
    private readonly calendars: CalendarsRepository,
    private readonly tickets: TicketsService,
  ) {}

  list(): Promise<SlaPolicy[]> {
    return this.policies.list();
  }

  upsert(
    policy: SlaPolicy,
    actor = 'unknown',
    reason = '',
  ): Promise<SlaPolicy & { openTicketsRetimed: number; version: number }> {
    return this.dataSource.transaction(async (manager) => {
      const openTicketsRetimed = await this.apply(manager, policy);
      const saved = (await this.policies.find(manager, policy.id))!;
      const version = await this.record(manager, 'sla-policy', policy.id, saved, actor, reason);
      return { ...saved, openTicketsRetimed, version };
    });
  }

  async remove(id: string, actor = 'unknown', reason = ''): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.policies.remove(manager, id))) throw notFound('SLA policy', id);
      await this.tickets.policiesChanged(manager);
      await this.record(manager, 'sla-policy', id, null, actor, reason);
    });
  }

  /**
   * What a policy change would do to the open tickets: the change is made, the tickets re-timed and
   * compared, and everything rolled back (timers, events and notifications included).
   */
  preview(policy: SlaPolicy, sampleSize = 20): Promise<PolicyImpact> {
    return this.dryRun((manager) => this.apply(manager, policy), sampleSize);
  }

  /** What a calendar change would do to the open tickets timed by it (made, compared, rolled back). */
  previewCalendar(calendar: BusinessCalendar, sampleSize = 20): Promise<PolicyImpact> {
    this.checkCalendar(calendar);
    return this.dryRun(async (manager) => {
      await this.calendars.upsert(manager, calendar, '');
      await this.tickets.policiesChanged(manager);
    }, sampleSize);
  }

  private async dryRun(change: (manager: EntityManager) => Promise<unknown>, sampleSize: number) {
    try {
      await this.dataSource.transaction(async (manager) => {
        const before = await this.timings(manager);
        await change(manager);
        const after = new Map((await this.timings(manager)).map((t) => [t.id, t]));
        const impact: PolicyImpact = { openTickets: before.length, retimed: 0, policyMoves: {}, sample: [] };
        for (const b of before) {
          const a = after.get(b.id)!;
          const moved =
            a.policy_id !== b.policy_id ||
            iso(a.first_response_due_at) !== iso(b.first_response_due_at) ||
            iso(a.resolution_due_at) !== iso(b.resolution_due_at) ||
            iso(a.next_response_due_at) !== iso(b.next_response_due_at);
          if (!moved) continue;
          impact.retimed += 1;
          if (a.policy_id !== b.policy_id) {
            const key = `${b.policy_id} → ${a.policy_id}`;
            impact.policyMoves[key] = (impact.policyMoves[key] ?? 0) + 1;
          }
          if (impact.sample.length < sampleSize)
            impact.sample.push({
              ticketId: b.id,
              policy: { before: b.policy_id, after: a.policy_id },
              firstResponseDueAt: {
                before: iso(b.first_response_due_at),
                after: iso(a.first_response_due_at),
              },
              resolutionDueAt: { before: iso(b.resolution_due_at), after: iso(a.resolution_due_at) },
            });
        }
        throw new PreviewDone(impact);
      });
    } catch (error) {
      if (error instanceof PreviewDone) return error.impact;
      throw error;
    }
    throw new Error('a preview always rolls back');
  }

  async versions(kind: ConfigKind, id: string): Promise<ConfigVersion[]> {
    const rows = await queryRows<{
      kind: ConfigKind;
      config_id: string;
      version: number;
      definition: ConfigVersion['definition'];
      changed_by: string;
      reason: string;
      changed_at: Date;
    }>(
      this.dataSource,
      'SELECT * FROM config_versions WHERE kind = $1 AND config_id = $2 ORDER BY version DESC',
      [kind, id],
    );
    if (rows.length === 0) throw notFound(kind === 'calendar' ? 'business calendar' : 'SLA policy', id);
    return rows.map((r) => ({
      kind: r.kind,
      id: r.config_id,
      version: r.version,
      definition: r.definition,
      changedBy: r.changed_by,
      reason: r.reason,
      changedAt: r.changed_at.toISOString(),
    }));
  }

  /** Makes an earlier version current again (a new version with its definition, or a removal). */
  async restore(kind: ConfigKind, id: string, version: number, actor: string) {
    const row = await queryOne<{ definition: ConfigVersion['definition'] }>(
      this.dataSource,
      'SELECT definition FROM config_versions WHERE kind = $1 AND config_id = $2 AND version = $3',
      [kind, id, version],
    );
    if (!row) throw notFound(`${kind} version`, `${id}@${version}`);
    const reason = `restored version ${version}`;
    if (kind === 'calendar') {
      const { description, ...calendar } = row.definition as BusinessCalendar & { description?: string };
      return this.upsertCalendar(calendar, description ?? '', actor, reason);
    }
    if (!row.definition) {
      await this.remove(id, actor, reason);
      return { id, removed: true };
    }
    return this.upsert(row.definition as SlaPolicy, actor, reason);
  }

  private async apply(manager: EntityManager, policy: SlaPolicy): Promise<number> {
    if (policy.calendarId && !(await this.calendars.find(policy.calendarId, manager)))
      throw invalid('calendarId', `no business calendar ${policy.calendarId}`);
    await this.policies.upsert(manager, policy);
    return this.tickets.policiesChanged(manager);
  }

  private async timings(manager: EntityManager): Promise<TicketTiming[]> {
    return queryRows<TicketTiming>(
      manager,
      `SELECT id, policy_id, first_response_due_at, next_response_due_at, resolution_due_at
         FROM tickets WHERE status <> 'resolved' ORDER BY id FOR UPDATE`,
    );
  }

  private async record(
    manager: EntityManager,
    kind: ConfigKind,
    id: string,
    definition: ConfigVersion['definition'],
    actor: string,
    reason: string,
  ): Promise<number> {
    await execute(manager, 'SELECT pg_advisory_xact_lock(hashtext($1))', [`${kind}:${id}`]);
    const row = await queryOne<{ version: number }>(
      manager,
      `INSERT INTO config_versions (kind, config_id, version, definition, changed_by, reason)
       SELECT $1, $2, coalesce(max(version), 0) + 1, $3::jsonb, $4, $5 FROM config_versions
        WHERE kind = $1 AND config_id = $2
       RETURNING version`,
      [kind, id, definition ? JSON.stringify(definition) : null, actor, reason],
    );
    return row!.version;
  }

  private checkCalendar(calendar: BusinessCalendar): void {
    const problems = calendarProblems(calendar);
    if (problems.length > 0)
      throw invalidFields(
        problems.map((p) => {
          const [field, ...rest] = p.split(': ');
          return { field, messages: [rest.join(': ')] };
        }),
      );
  }

  listCalendars(): Promise<BusinessCalendar[]> {
    return this.calendars.list();
  }

  async calendar(id: string): Promise<BusinessCalendar> {
    const calendar = await this.calendars.find(id);
    if (!calendar) throw notFound('business calendar', id);
    return calendar;
  }

  upsertCalendar(
    calendar: BusinessCalendar,
    description: string,
    actor = 'unknown',
    reason = '',
  ): Promise<BusinessCalendar & { version: number }> {
    this.checkCalendar(calendar);
    return this.dataSource.transaction(async (manager) => {
      await this.calendars.upsert(manager, calendar, description);
      await this.tickets.policiesChanged(manager);
      const version = await this.record(
        manager,
        'calendar',
        calendar.id,
        { ...calendar, description },
        actor,
        reason,
      );
      return { ...calendar, version };
    });
  }
}
