import { Injectable } from '@nestjs/common';
import { invalid } from '@crm/service-kit';
import type { ConsumerGroupName } from '@crm/contracts';
import { Upstream, UpstreamError } from './upstream';
import type {
  BoardTicket,
  Customer360,
  CustomerHit,
  Distribution,
  Line,
  Overview,
  PartProblem,
  ProfilePart,
  QueueItem,
  ScoresPart,
  SearchResult,
  StageChange,
  TicketAction,
  TicketLine,
} from './view-model';

/** The handbook's value tiers and lifecycle stages, in the order the charts show them. */
export const VALUE_TIERS = ['high-value', 'potential', 'stable', 'silent'] as const;
export const LIFECYCLE_STAGES = ['acquisition', 'growth', 'maturity', 'decline', 'churned'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OWNER = /^[A-Za-z0-9._@-]{1,64}$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SEARCH_LIMIT = 50;

type Json = Record<string, unknown>;
const str = (value: unknown): string | null =>
  value === null || value === undefined ? null : value instanceof Date ? value.toISOString() : String(value);

/** What a part's failure means to the person looking at it. */
function problemOf(part: string, error: unknown): PartProblem {
  if (error instanceof UpstreamError)
    return {
      part,
      status: error.status,
      reason:
        error.status === 403
          ? 'not available to your role'
          : error.status === 404
            ? 'nothing recorded yet'
            : `${error.service} answered ${error.status}`,
    };
  return { part, status: 500, reason: (error as Error).message };
}

/**
 * A search query: a customer id, an external reference, `name:Wang Lei` (exact, agents), `owner:am-1`,
 * `tier:high-value`, `segment:vip` or `where:<segment expression>`.
 */
export function parseSearch(query: string): { by: SearchResult['by']; value: string } {
  const text = query.trim();
  if (text.length === 0 || text.length > 500) throw invalid('q', 'must be 1 to 500 characters');
  const prefixed = /^(name|owner|tier|segment|where):\s*(.+)$/is.exec(text);
  if (!prefixed) return { by: 'externalRef', value: text };
  const kind = prefixed[1]!.toLowerCase();
  const value = prefixed[2]!.trim();
  if (kind === 'name') {
    if (value.length > 200) throw invalid('q', 'a name is at most 200 characters');
    return { by: 'name', value };
  }
  if (kind === 'owner') {
    if (!OWNER.test(value))
      throw invalid('q', 'owner must be 1-64 letters, digits, dots, dashes, underscores or @');
    return { by: 'owner', value };
  }
  if (kind === 'tier') {
    if (!(VALUE_TIERS as readonly string[]).includes(value))
      throw invalid('q', `tier must be one of ${VALUE_TIERS.join(', ')}`);
    return { by: 'tier', value };
  }
  if (kind === 'segment') {
    if (!SLUG.test(value))
      throw invalid('q', 'segment must be a segment id (lower-case letters, digits, dashes)');
    return { by: 'segment', value };
  }
  return { by: 'expression', value };
}

/** The "why" of a value tier: the facts the rules read, in words. */
export function tierWhy(scores: Json): string[] {
  const facts = (scores.facts ?? {}) as Json;
  const rfm = (scores.rfm ?? {}) as Json;
  const lines = [
    `value tier ${String(scores.valueTier)} under rules ${String(scores.rulesVersion)}`,
    `spend in the last 12 months: ${Number(facts.spend12m ?? 0).toLocaleString('en')}`,
    `purchases in the last 12 months: ${Number(facts.purchases12m ?? 0)}`,
    `last purchase: ${str(facts.lastPurchaseAt) ?? 'never'}`,
    `RFM ${String(rfm.recency)}-${String(rfm.frequency)}-${String(rfm.monetary)}`,
  ];
  if (scores.causedByEventId) lines.push(`last re-scored by event ${String(scores.causedByEventId)}`);
  return lines;
}

@Injectable()
export class ConsoleService {
  constructor(private readonly upstream: Upstream) {}

  private get<T>(service: ConsumerGroupName, token: string, path: string): Promise<T> {
    return this.upstream.call<T>(service, token, 'GET', path);
  }

  async search(token: string, query: string): Promise<SearchResult> {
    const { by, value } = parseSearch(query);
    let ids: string[] = [];
    let total = 0;
    if (by === 'externalRef') {
      const found = UUID.test(value)
        ? await this.profileOrNull(token, `/customers/${value}`)
        : await this.profileOrNull(token, `/customers?externalRef=${encodeURIComponent(value)}`);
      ids = found ? [String(found.id)] : [];
      total = ids.length;
    } else if (by === 'name') {
      const found = await this.upstream.relay<{ customers: Json[] }>(
        'customer-profile',
        token,
        'POST',
        '/customers/search',
        {
          name: value,
        },
      );
      ids = found.customers.map((c) => String(c.id));
      total = ids.length;
    } else if (by === 'owner') {
      const page = await this.upstream.relay<{ customers: Json[]; total: number }>(
        'customer-profile',
        token,
        'GET',
        `/owners/${encodeURIComponent(value)}/customers?limit=${SEARCH_LIMIT}`,
      );
      ids = page.customers.map((c) => String(c.id));
      total = page.total;
    } else if (by === 'segment') {
      const page = await this.upstream.relay<{ total: number; members: Json[] }>(
        'tagging',
        token,
        'GET',
        `/segments/${value}/members?limit=${SEARCH_LIMIT}`,
      );
      ids = page.members.map((m) => String(m.customerId));
      total = page.total;
    } else {
      const expression = by === 'tier' ? `value_tier = '${value}'` : value;
      const preview = await this.upstream.relay<{ count: number; sample: string[] }>(
        'tagging',
        token,
        'POST',
        '/segments/preview',
        { expression },
      );
      ids = preview.sample.slice(0, SEARCH_LIMIT);
      total = preview.count;
    }
    const hits = await Promise.all(ids.map((id) => this.hit(token, id)));
    return { by, total, hits: hits.filter((h): h is CustomerHit => h !== null) };
  }

  private async profileOrNull(token: string, path: string): Promise<Json | null> {
    try {
      return await this.get<Json>('customer-profile', token, path);
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 404) return null;
      if (error instanceof UpstreamError && error.status === 400)
        throw invalid('q', 'is not a customer reference');
      throw error;
    }
  }

  private async hit(token: string, id: string): Promise<CustomerHit | null> {
    const [profile, scores] = await Promise.all([
      this.profileOrNull(token, `/customers/${id}`),
      this.get<Json>('tagging', token, `/customers/${id}`).catch(() => null),
    ]);
    if (!profile) return null;
    return {
      id,
      externalRef: String(profile.externalRef),
      name: str(profile.name),
      owner: str(profile.owner),
      valueTier: str(scores?.valueTier),
      segment: str(scores?.valueLoyaltySegment),
      lifecycleStage: str(scores?.lifecycleStage),
    };
  }

  /** Everything about one customer, each part fetched in parallel; a part that fails is named, not fatal. */
  async customer360(token: string, id: string): Promise<Customer360> {
    if (!UUID.test(id)) throw invalid('id', 'must be a customer id (UUID)');
    const unavailable: PartProblem[] = [];
    const part = async <T>(name: string, load: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await load();
      } catch (error) {
        unavailable.push(problemOf(name, error));
        return fallback;
      }
    };
    const profile = await this.upstream.relay<ProfilePart>(
      'customer-profile',
      token,
      'GET',
      `/customers/${id}`,
    );
    const [scores, stageHistory, segments, interactions, tickets, careActions, journeys, referrals, points] =
      await Promise.all([
        part(
          'scores',
          async () => {
            const s = await this.get<Json>('tagging', token, `/customers/${id}`);
            return { ...(s as unknown as ScoresPart), why: tierWhy(s) };
          },
          null as ScoresPart | null,
        ),
        part(
          'stageHistory',
          () => this.get<StageChange[]>('tagging', token, `/customers/${id}/stage-history`),
          [],
        ),
        part(
          'segments',
          async () =>
            (await this.get<Json[]>('tagging', token, `/customers/${id}/segments`)).map((s) =>
              String(s.segment),
            ),
          [] as string[],
        ),
        part(
          'interactions',
          async () =>
            (
              (
                await this.get<{ items: Json[] }>(
                  'interaction-log',
                  token,
                  `/customers/${id}/timeline?limit=50`,
                )
              ).items ?? []
            ).map((i): Line => ({
              id: String(i.id),
              at: str(i.occurredAt),
              title: `${String(i.channel)} · ${String(i.direction)}`,
              detail: String(i.topic ?? ''),
              status: str(i.status) ?? undefined,
            })),
          [] as Line[],
        ),
        part(
          'tickets',
          async () =>
            (await this.get<Json[]>('feedback-sla', token, `/customers/${id}/tickets`)).map(
              (t): TicketLine => ({
                ticketId: String(t.id),
                type: String(t.type),
                priority: String(t.priority),
                status: String(t.status),
                owner: str(t.owner),
                openedAt: str(t.openedAt),
                nextDeadline: str(
                  t.resolvedAt ? null : t.firstRespondedAt ? t.resolutionDueAt : t.firstResponseDueAt,
                ),
                breached: Boolean(
                  (t.breaches as Json | undefined)?.firstResponse ||
                  (t.breaches as Json | undefined)?.resolution,
                ),
              }),
            ),
          [] as TicketLine[],
        ),
        part(
          'careActions',
          async () =>
            (await this.get<Json[]>('growth-campaigns', token, `/customers/${id}/care-actions`)).map(
              (a): Line => ({
                id: String(a.id),
                at: str(a.createdAt),
                title: `${String(a.playbook)} · ${String(a.action)}`,
                detail: `${String(a.channel)}${a.reason ? ` (${String(a.reason)})` : ''}`,
                status: String(a.status),
              }),
            ),
          [] as Line[],
        ),
        part(
          'journeys',
          async () =>
            (await this.get<Json[]>('growth-campaigns', token, `/customers/${id}/journeys`)).map(
              (r): Line => ({
                id: String(r.id),
                at: str(r.enteredAt),
                title: `${String(r.journeyId)} v${String(r.version)}`,
                detail: `step ${String(r.step)}`,
                status: String(r.status),
              }),
            ),
          [] as Line[],
        ),
        part(
          'referrals',
          async () =>
            (
              (await this.get<{ referrals: Json[] }>('referral', token, `/customers/${id}/referrals`))
                .referrals ?? []
            ).map((r): Line => ({
              id: String(r.id),
              at: str(r.attributedAt),
              title: `${String(r.role)}`,
              detail:
                String(r.role) === 'referrer'
                  ? `referred ${String(r.refereeId)}`
                  : `referred by ${String(r.referrerId)}`,
              status: String(r.status),
            })),
          [] as Line[],
        ),
        part(
          'points',
          async () => {
            const account = await this.get<{ balance: number; entries: Json[] }>(
              'referral',
              token,
              `/customers/${id}/points`,
            );
            return {
              balance: account.balance,
              movements: (account.entries ?? []).slice(0, 20).map((e): Line => ({
                id: String(e.id),
                at: str(e.occurredAt),
                title: `${String(e.movement)} ${Number(e.points)}`,
                detail: String(e.source ?? e.reason ?? ''),
              })),
            };
          },
          null as Customer360['points'],
        ),
      ]);
    return {
      profile,
      scores,
      stageHistory,
      segments,
      interactions,
      tickets,
      careActions,
      journeys,
      referrals,
      points,
      unavailable,
    };
  }

  async reveal(token: string, id: string, reason: string): Promise<ProfilePart> {
    if (!UUID.test(id)) throw invalid('id', 'must be a customer id (UUID)');
    return this.upstream.relay<ProfilePart>('customer-profile', token, 'POST', `/customers/${id}/reveal`, {
      reason,
    });
  }

  /** Opens a ticket for the customer, owned by the person opening it (a complaint needs a dedicated owner). */
  openTicket(
    token: string,
    customerId: string,
    owner: string,
    ticket: { type: string; priority?: string; subject?: string },
  ): Promise<unknown> {
    if (!UUID.test(customerId)) throw invalid('id', 'must be a customer id (UUID)');
    return this.upstream.relay('feedback-sla', token, 'POST', '/tickets', { customerId, owner, ...ticket });
  }

  async board(
    token: string,
    filters: { tier?: string; type?: string; owner?: string },
  ): Promise<BoardTicket[]> {
    const query = new URLSearchParams({ limit: '200' });
    for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
    const rows = await this.upstream.relay<Json[]>('feedback-sla', token, 'GET', `/queue?${query}`);
    return rows.map((r) => ({ ...(r as unknown as BoardTicket), nextDeadline: str(r.nextDeadline) }));
  }

  async act(token: string, ticketId: string, action: TicketAction): Promise<unknown> {
    if (!UUID.test(ticketId)) throw invalid('ticketId', 'must be a ticket id (UUID)');
    return this.upstream.relay('feedback-sla', token, 'POST', `/tickets/${ticketId}/${action}`);
  }

  /** An owner's work: cadence tasks, needs and plan tasks, overdue first, then by due date. */
  async queue(token: string, owner: string): Promise<{ items: QueueItem[]; unavailable: PartProblem[] }> {
    if (!OWNER.test(owner))
      throw invalid('owner', 'must be 1-64 letters, digits, dots, dashes, underscores or @');
    const unavailable: PartProblem[] = [];
    const now = Date.now();
    const load = async (
      name: string,
      service: ConsumerGroupName,
      path: string,
      map: (r: Json) => QueueItem,
    ) => {
      try {
        const rows = await this.get<Json[] | { items: Json[] }>(service, token, path);
        return (Array.isArray(rows) ? rows : (rows.items ?? [])).map(map);
      } catch (error) {
        unavailable.push(problemOf(name, error));
        return [];
      }
    };
    const overdue = (due: unknown) =>
      due !== null && due !== undefined && new Date(String(due)).getTime() <= now;
    const lists = await Promise.all([
      load('tasks', 'growth-campaigns', `/owners/${owner}/tasks`, (r) => ({
        id: String(r.id),
        source: 'task',
        customerId: str(r.customerId),
        title: `${String(r.kind)}: ${String(r.detail ?? '')}`,
        dueAt: str(r.dueAt),
        overdue: Boolean(r.overdue),
      })),
      load('needs', 'interaction-log', `/owners/${owner}/needs`, (r) => ({
        id: String(r.id),
        source: 'need',
        customerId: str(r.customerId),
        title: `${String(r.type)} need (${String(r.priority)})`,
        dueAt: str(r.dueAt),
        overdue: Boolean(r.overdue),
      })),
      load('planTasks', 'interaction-log', `/owners/${owner}/plan-tasks`, (r) => ({
        id: String(r.id),
        source: 'plan-task',
        customerId: null,
        title: String(r.title ?? 'plan task'),
        dueAt: str(r.dueAt),
        overdue: overdue(r.dueAt),
      })),
    ]);
    const items = lists
      .flat()
      .sort(
        (a, b) =>
          Number(b.overdue) - Number(a.overdue) ||
          (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') ||
          a.id.localeCompare(b.id),
      );
    return { items, unavailable };
  }

  segmentPreview(token: string, expression: string): Promise<unknown> {
    if (typeof expression !== 'string' || expression.trim().length === 0)
      throw invalid('expression', 'is required');
    return this.upstream.relay('tagging', token, 'POST', '/segments/preview', { expression });
  }

  segments(token: string): Promise<unknown> {
    return this.upstream.relay('tagging', token, 'GET', '/segments');
  }

  segmentWhy(token: string, segment: string, customerId: string): Promise<unknown> {
    if (!SLUG.test(segment)) throw invalid('segment', 'must be a segment id');
    if (!UUID.test(customerId)) throw invalid('customerId', 'must be a customer id (UUID)');
    return this.upstream.relay('tagging', token, 'GET', `/segments/${segment}/why/${customerId}`);
  }

  /** The charts: tiers, stages and value-loyalty segments by count; SLA met and breached per week. */
  async overview(token: string, now = new Date()): Promise<Overview> {
    const unavailable: PartProblem[] = [];
    const count = async (label: string, expression: string): Promise<Distribution> => {
      try {
        const preview = await this.upstream.call<{ count: number }>(
          'tagging',
          token,
          'POST',
          '/segments/preview',
          {
            expression,
          },
        );
        return { label, count: preview.count };
      } catch (error) {
        if (!unavailable.some((u) => u.part === 'distribution'))
          unavailable.push(problemOf('distribution', error));
        return { label, count: 0 };
      }
    };
    const from = new Date(now.getTime() - 8 * 7 * 86_400_000);
    const [tiers, stages, segments, sla] = await Promise.all([
      Promise.all(VALUE_TIERS.map((t) => count(t, `value_tier = '${t}'`))),
      Promise.all(LIFECYCLE_STAGES.map((s) => count(s, `lifecycle_stage = '${s}'`))),
      Promise.all(
        ['core', 'potential', 'general', 'churn-warning'].map((s) =>
          count(s, `value_loyalty_segment = '${s}'`),
        ),
      ),
      this.upstream
        .call<{
          rows: {
            period: string | null;
            resolution: { met: number; breached: number };
            firstResponse: { met: number; breached: number };
          }[];
        }>(
          'feedback-sla',
          token,
          'GET',
          `/reports/sla?from=${from.toISOString()}&to=${new Date(now.getTime() + 60_000).toISOString()}&period=week&groupBy=type`,
        )
        .then((report) => {
          const weeks = new Map<string, { met: number; breached: number }>();
          for (const row of report.rows) {
            const key = (row.period ?? '').slice(0, 10);
            const week = weeks.get(key) ?? { met: 0, breached: 0 };
            week.met += row.firstResponse.met + row.resolution.met;
            week.breached += row.firstResponse.breached + row.resolution.breached;
            weeks.set(key, week);
          }
          return [...weeks.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([period, w]) => ({ period, ...w }));
        })
        .catch((error: unknown) => {
          unavailable.push(problemOf('sla', error));
          return [];
        }),
    ]);
    return { tiers, stages, segments, sla, unavailable };
  }
}
