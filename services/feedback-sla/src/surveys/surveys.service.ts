import { Injectable, Logger } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import { FeedbackScored, SurveyRequested } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { counter } from '@crm/observability';
import { execute, queryOne, queryRows, ServiceClock } from '@crm/persistence';
import { mask, PersonalTexts } from '@crm/privacy';
import { conflict, invalid, invalidFields, notFound } from '@crm/service-kit';
import { FeedbackConfig } from '../feedback.config';
import { TicketsService } from '../tickets/tickets.service';
import type { AnswerSurveyDto } from './answer-survey.dto';
import {
  checkItems,
  needsFollowUp,
  scoreProblem,
  sentimentOf,
  type SurveyItem,
  type SurveyKind,
} from './survey-policy';

/** A row of `survey_requests`. */
interface SurveyRequestRow {
  id: string;
  customer_id: string;
  kind: SurveyKind;
  status: 'sent' | 'suppressed' | 'answered';
  suppressed_reason: string | null;
}

export enum SurveyErrorCode {
  AlreadyAnswered = 'SURVEY_ALREADY_ANSWERED',
  NotSent = 'SURVEY_NOT_SENT',
}

export class SurveyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['csat', 'nps'] }) kind: SurveyKind;
  @ApiProperty({ enum: ['sent', 'suppressed', 'answered'] }) status: string;
  @ApiPropertyOptional({ nullable: true }) suppressedReason: string | null;
  @ApiPropertyOptional({ nullable: true }) orderId: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) ticketId: string | null;
  @ApiProperty() requestedAt: Date;
  @ApiPropertyOptional({ nullable: true }) score: number | null;
  @ApiPropertyOptional({ nullable: true }) sentiment: string | null;
  @ApiPropertyOptional({ nullable: true }) answeredAt: Date | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) followUpTicketId: string | null;
  @ApiPropertyOptional({
    nullable: true,
    description: "The answer's comment: in full for agents and admins, masked for analysts; null once erased",
  })
  comment: string | null;
}

export class SurveyAnswerView {
  @ApiProperty({ format: 'uuid' }) surveyId: string;
  @ApiProperty({ enum: ['csat', 'nps'] }) kind: SurveyKind;
  @ApiProperty() score: number;
  @ApiProperty() sentiment: string;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) followUpTicketId: string | null;
}

const answers = () =>
  counter('crm_survey_answers_total', 'Survey answers by kind and sentiment', ['kind', 'sentiment']);

/** Customers asked per NPS round transaction; a round loops until nobody is left. */
const NPS_BATCH = 1000;

@Injectable()
export class SurveysService {
  private readonly logger = new Logger(SurveysService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly tickets: TicketsService,
    private readonly config: FeedbackConfig,
    private readonly clock: ServiceClock,
    private readonly texts: PersonalTexts,
  ) {}

  /**
   * Records a customer's answer once. A detractor (NPS 0-6) or CSAT 1-2 opens a follow-up ticket whose
   * first response, the remediation plan, is due within 48 h (policy `follow-up`).
   */
  async answer(
    surveyId: string,
    { score, items, comment }: AnswerSurveyDto,
    correlationId: string,
  ): Promise<SurveyAnswerView> {
    return this.dataSource.transaction(async (manager) => {
      const survey = await queryOne<SurveyRequestRow>(
        manager,
        'SELECT * FROM survey_requests WHERE id = $1 FOR UPDATE',
        [surveyId],
      );
      if (!survey) throw notFound('survey', surveyId);
      if (survey.status === 'answered')
        throw conflict(SurveyErrorCode.AlreadyAnswered, 'status', `survey ${surveyId} was answered`);
      if (survey.status !== 'sent')
        throw conflict(
          SurveyErrorCode.NotSent,
          'status',
          `survey ${surveyId} was not sent (${survey.suppressed_reason ?? survey.status})`,
        );
      const kind = survey.kind;
      const problem = scoreProblem(kind, score);
      if (problem) throw invalid('score', problem);
      const checked = checkItems(kind, await this.items(kind), items);
      if (checked.problems.length > 0)
        throw invalidFields(checked.problems.map((p) => ({ field: p.field, messages: [p.message] })));
      const now = await this.clock.now(manager);
      const sentiment = sentimentOf(kind, score);
      let followUpTicketId: string | undefined;
      // A low score, or low items in a good one: act on them within 48 h (the follow-up policy).
      if (needsFollowUp(kind, score) || checked.low.length > 0)
        followUpTicketId = await this.tickets.openIn(
          manager,
          {
            customerId: survey.customer_id,
            type: 'follow-up',
            priority: 'high',
            subject:
              `remediation plan after ${kind.toUpperCase()} ${score}` +
              (checked.low.length ? `: low on ${checked.low.map((i) => i.label).join(', ')}` : ''),
            surveyId,
          },
          correlationId,
        );
      await execute(
        manager,
        `UPDATE survey_requests SET status = 'answered', score = $2, sentiment = $3, answered_at = $4, follow_up_ticket_id = $5,
                item_scores = $6, comment_sealed = $7 WHERE id = $1`,
        [
          surveyId,
          score,
          sentiment,
          now,
          followUpTicketId ?? null,
          items ? JSON.stringify(items) : null,
          await this.texts.seal(manager, survey.customer_id, `survey/${surveyId}/comment`, comment),
        ],
      );
      await this.outbox.publish(
        manager,
        FeedbackScored,
        {
          customerId: survey.customer_id,
          surveyId,
          kind,
          score,
          sentiment,
          answeredAt: now.toISOString(),
          followUpTicketId,
          ...(checked.low.length ? { lowItems: checked.low.map((i) => i.item) } : {}),
          ...(comment ? { commented: true } : {}),
        },
        { subject: survey.customer_id, correlationId },
      );
      answers().inc({ kind, sentiment });
      return { surveyId, kind, score, sentiment, followUpTicketId: followUpTicketId ?? null };
    });
  }

  /**
   * The periodic NPS round, set-based: every known customer not asked for NPS within the NPS period and not
   * surveyed at all within the quiet period gets one request. Safe to run again: the same rules exclude
   * whoever was just asked.
   */
  async npsRound(correlationId: string): Promise<{ requested: number }> {
    const now = await this.clock.now();
    let requested = 0;
    for (;;) {
      const batch = await this.dataSource.transaction((manager) =>
        this.npsBatch(manager, correlationId, now),
      );
      requested += batch;
      if (batch < NPS_BATCH) break;
    }
    this.logger.log({ msg: 'NPS round finished', requested, correlationId });
    return { requested };
  }

  private async npsBatch(manager: EntityManager, correlationId: string, now: Date): Promise<number> {
    const rows = await queryRows<{ id: string; customer_id: string }>(
      manager,
      `INSERT INTO survey_requests (id, customer_id, kind, requested_at, status)
       SELECT gen_random_uuid(), c.customer_id, 'nps', $1, 'sent' FROM customers c
        WHERE NOT EXISTS (SELECT 1 FROM survey_requests s WHERE s.customer_id = c.customer_id AND s.status IN ('sent', 'answered')
                            AND s.requested_at > $1::timestamptz - make_interval(secs => $2))
          AND NOT EXISTS (SELECT 1 FROM survey_requests s WHERE s.customer_id = c.customer_id AND s.kind = 'nps' AND s.status IN ('sent', 'answered')
                            AND s.requested_at > $1::timestamptz - make_interval(secs => $3))
        ORDER BY c.customer_id LIMIT $4
       RETURNING id, customer_id`,
      [now, this.config.SURVEY_QUIET_DAYS * 86400, this.config.NPS_PERIOD_DAYS * 86400, NPS_BATCH],
    );
    for (const row of rows)
      await this.outbox.publish(
        manager,
        SurveyRequested,
        { customerId: row.customer_id, surveyId: row.id, kind: 'nps', requestedAt: now.toISOString() },
        { subject: row.customer_id, correlationId },
      );
    return rows.length;
  }

  /** What the public answer page may show: the kind and whether it was answered, nothing about the customer. */
  async publicView(
    surveyId: string,
  ): Promise<{ kind: SurveyKind; status: SurveyRequestRow['status']; items: SurveyItem[] }> {
    const row = await queryOne<SurveyRequestRow>(
      this.dataSource,
      'SELECT * FROM survey_requests WHERE id = $1',
      [surveyId],
    );
    if (!row) throw notFound('survey', surveyId);
    return { kind: row.kind, status: row.status, items: await this.items(row.kind) };
  }

  /** The items of a survey kind, in order. */
  items(kind: SurveyKind): Promise<SurveyItem[]> {
    return queryRows<SurveyItem>(
      this.dataSource,
      'SELECT item, label FROM survey_items WHERE kind = $1 ORDER BY position',
      [kind],
    );
  }

  /** A customer's surveys; comments opened for `readsComments` (agents, admins), masked for the others. */
  async forCustomer(customerId: string, readsComments: boolean): Promise<SurveyView[]> {
    const rows = await queryRows<Omit<SurveyView, 'comment'> & { commentSealed: string | null }>(
      this.dataSource,
      `SELECT id, kind, status, suppressed_reason AS "suppressedReason", order_id AS "orderId", ticket_id AS "ticketId",
              requested_at AS "requestedAt", score, sentiment, answered_at AS "answeredAt", follow_up_ticket_id AS "followUpTicketId",
              comment_sealed AS "commentSealed"
         FROM survey_requests WHERE customer_id = $1 ORDER BY requested_at DESC LIMIT 200`,
      [customerId],
    );
    const sealed = Object.fromEntries(
      rows.filter((r) => r.commentSealed).map((r) => [`survey/${r.id}/comment`, r.commentSealed]),
    );
    const opened = rows.some((r) => r.commentSealed)
      ? await this.texts.open(this.dataSource, customerId, sealed)
      : {};
    return rows.map(({ commentSealed: _sealed, ...row }) => {
      const comment = opened[`survey/${row.id}/comment`] ?? null;
      return { ...row, comment: readsComments ? comment : mask(comment) };
    });
  }
}
