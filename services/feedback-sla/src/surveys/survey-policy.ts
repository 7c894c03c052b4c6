import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { FeedbackConfig } from '../feedback.config';

export type SurveyKind = 'csat' | 'nps';

export interface RecordedSurvey {
  id: string;
  /** sent: ask the customer; suppressed: recorded, not sent (quiet period); duplicate: already recorded. */
  status: 'sent' | 'suppressed' | 'duplicate';
}

/** Sentiment of a score: NPS promoters 9-10, detractors 0-6; CSAT satisfied 4-5, dissatisfied 1-2. */
export function sentimentOf(kind: SurveyKind, score: number): string {
  if (kind === 'nps') return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
  return score >= 4 ? 'satisfied' : score === 3 ? 'neutral' : 'dissatisfied';
}

/** A detractor or a CSAT of at most 2 needs a follow-up with a remediation plan. */
export function needsFollowUp(kind: SurveyKind, score: number): boolean {
  return kind === 'nps' ? score <= 6 : score <= 2;
}

export function scoreProblem(kind: SurveyKind, score: number): string | undefined {
  const [min, max] = kind === 'nps' ? [0, 10] : [1, 5];
  return Number.isInteger(score) && score >= min && score <= max
    ? undefined
    : `must be a whole number from ${min} to ${max} for ${kind.toUpperCase()}`;
}

/** An item of a multi-item survey (`survey_items`). */
export interface SurveyItem {
  item: string;
  label: string;
}

/**
 * Checks the item scores of an answer against the survey's items: each must be a known item scored on the
 * kind's scale. Answers the problems by field (`items.<id>`) and the low items (CSAT 1-2, NPS 0-6), in the
 * survey's order.
 */
export function checkItems(
  kind: SurveyKind,
  known: SurveyItem[],
  items: Record<string, unknown> | undefined,
): { problems: Array<{ field: string; message: string }>; low: SurveyItem[] } {
  const problems: Array<{ field: string; message: string }> = [];
  if (items === undefined) return { problems, low: [] };
  for (const [key, value] of Object.entries(items)) {
    const field = `items.${key}`.slice(0, 80);
    if (!known.some((k) => k.item === key))
      problems.push({
        field,
        message: known.length
          ? `is not an item of a ${kind.toUpperCase()} survey (${known.map((k) => k.item).join(', ')})`
          : `a ${kind.toUpperCase()} survey has no items`,
      });
    else {
      const problem = scoreProblem(kind, value as number);
      if (problem) problems.push({ field, message: problem });
    }
  }
  const low = problems.length
    ? []
    : known.filter((k) => items[k.item] !== undefined && needsFollowUp(kind, items[k.item] as number));
  return { problems, low };
}

/**
 * Survey requests: one per order or ticket, and never within the quiet period of the customer's last
 * survey (the request is then recorded as suppressed, with the reason, and not sent). A survey request is
 * a service message on its own: it never carries marketing.
 */
@Injectable()
export class SurveyPolicy {
  constructor(private readonly config: FeedbackConfig) {}

  async record(
    manager: EntityManager,
    customerId: string,
    kind: SurveyKind,
    ref: { orderId?: string; ticketId?: string },
    now: Date,
  ): Promise<RecordedSurvey> {
    await execute(manager, 'SELECT pg_advisory_xact_lock(hashtext($1))', [`survey:${customerId}`]);
    const recent = await queryOne<{ requested_at: Date }>(
      manager,
      `SELECT requested_at FROM survey_requests
        WHERE customer_id = $1 AND status IN ('sent', 'answered') AND requested_at > $2::timestamptz - make_interval(secs => $3)
        ORDER BY requested_at DESC LIMIT 1`,
      [customerId, now, this.config.SURVEY_QUIET_DAYS * 86400],
    );
    const status = recent ? 'suppressed' : 'sent';
    const id = randomUUID();
    const inserted = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO survey_requests (id, customer_id, kind, order_id, ticket_id, requested_at, status, suppressed_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id`,
      [
        id,
        customerId,
        kind,
        ref.orderId ?? null,
        ref.ticketId ?? null,
        now,
        status,
        recent ? `quiet period: last survey ${new Date(recent.requested_at).toISOString()}` : null,
      ],
    );
    return inserted.length === 0 ? { id, status: 'duplicate' } : { id, status };
  }
}
