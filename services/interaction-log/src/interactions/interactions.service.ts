import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { InteractionLogged, type Channel, type InteractionStatus } from '@crm/contracts';
import { causedBy, OutboxPublisher, type Cause } from '@crm/messaging';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { invalid, notFound } from '@crm/service-kit';
import type { LogInteractionDto } from './log-interaction.dto';

export interface NewInteraction {
  customerId: string;
  occurredAt: Date;
  channel: Channel;
  direction: 'inbound' | 'outbound';
  topic: string;
  participants: string[];
  customerFeedback?: string | null;
  followUpAction?: string | null;
  followUpDueAt?: Date | null;
  owner?: string | null;
  status: InteractionStatus;
  automated: boolean;
  careActionId?: string | null;
}

function encodeCursor(row: { occurred_at: Date; id: string }): string {
  return Buffer.from(`${row.occurred_at.toISOString()}|${row.id}`).toString('base64url');
}

/** Reads a cursor this API returned; anything else is a 400 naming the parameter. */
export function decodeCursor(cursor: string): { occurredAt: string; id: string } {
  const [occurredAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!occurredAt || !id || rest.length > 0 || !isUUID(id) || Number.isNaN(Date.parse(occurredAt)))
    throw invalid('cursor', 'is not a cursor this API returned');
  return { occurredAt, id };
}

/** A row of `interactions`. */
interface InteractionRow {
  id: string;
  customer_id: string;
  occurred_at: Date;
  channel: Channel;
  direction: 'inbound' | 'outbound';
  topic: string;
  participants: string[];
  customer_feedback: string | null;
  follow_up_action: string | null;
  follow_up_due_at: Date | null;
  owner: string | null;
  status: InteractionStatus;
  automated: boolean;
  care_action_id: string | null;
}

export class InteractionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() occurredAt: Date;
  @ApiProperty() channel: Channel;
  @ApiProperty({ enum: ['inbound', 'outbound'] }) direction: 'inbound' | 'outbound';
  @ApiProperty() topic: string;
  @ApiProperty({ type: [String] }) participants: string[];
  @ApiPropertyOptional({ nullable: true }) customerFeedback: string | null;
  @ApiPropertyOptional({ nullable: true }) followUpAction: string | null;
  @ApiPropertyOptional({ nullable: true }) followUpDueAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) owner: string | null;
  @ApiProperty() status: InteractionStatus;
  @ApiProperty() automated: boolean;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) careActionId: string | null;
}

export class TimelineView {
  @ApiProperty({ type: [InteractionView] }) items: InteractionView[];
  @ApiPropertyOptional({ nullable: true, description: 'Pass as `cursor` for the next page' }) nextCursor:
    string | null;
}

function toInteractionView(r: InteractionRow): InteractionView {
  return {
    id: r.id,
    customerId: r.customer_id,
    occurredAt: r.occurred_at,
    channel: r.channel,
    direction: r.direction,
    topic: r.topic,
    participants: r.participants,
    customerFeedback: r.customer_feedback,
    followUpAction: r.follow_up_action,
    followUpDueAt: r.follow_up_due_at,
    owner: r.owner,
    status: r.status,
    automated: r.automated,
    careActionId: r.care_action_id,
  };
}

@Injectable()
export class InteractionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  /** Records an interaction and emits `interaction logged`; an automated touch is recorded once per care action. */
  async log(manager: EntityManager, interaction: NewInteraction, cause: Cause): Promise<string | undefined> {
    const id = randomUUID();
    const inserted = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO interactions (id, customer_id, occurred_at, channel, direction, topic, participants, customer_feedback, follow_up_action,
                                 follow_up_due_at, owner, status, automated, care_action_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) ON CONFLICT (care_action_id) DO NOTHING RETURNING id`,
      [
        id,
        interaction.customerId,
        interaction.occurredAt,
        interaction.channel,
        interaction.direction,
        interaction.topic,
        interaction.participants,
        interaction.customerFeedback ?? null,
        interaction.followUpAction ?? null,
        interaction.followUpDueAt ?? null,
        interaction.owner ?? null,
        interaction.status,
        interaction.automated,
        interaction.careActionId ?? null,
      ],
    );
    if (inserted.length === 0) return undefined;
    await this.outbox.publish(
      manager,
      InteractionLogged,
      {
        customerId: interaction.customerId,
        interactionId: id,
        occurredAt: interaction.occurredAt.toISOString(),
        channel: interaction.channel,
        direction: interaction.direction,
        automated: interaction.automated,
        status: interaction.status,
        careActionId: interaction.careActionId ?? undefined,
        owner: interaction.owner ?? undefined,
        followUpDueAt: interaction.followUpDueAt?.toISOString(),
      },
      causedBy(interaction.customerId, cause),
    );
    return id;
  }

  async logFromApi(
    customerId: string,
    dto: LogInteractionDto,
    correlationId: string,
  ): Promise<InteractionView> {
    const id = await this.dataSource.transaction((manager) =>
      this.log(
        manager,
        {
          customerId,
          occurredAt: new Date(dto.occurredAt),
          channel: dto.channel,
          direction: dto.direction,
          topic: dto.topic,
          participants: dto.participants ?? [],
          customerFeedback: dto.customerFeedback,
          followUpAction: dto.followUpAction,
          followUpDueAt: dto.followUpDueAt ? new Date(dto.followUpDueAt) : null,
          owner: dto.owner,
          status: dto.status,
          automated: false,
        },
        { correlationId },
      ),
    );
    const row = id
      ? await queryOne<InteractionRow>(this.dataSource, 'SELECT * FROM interactions WHERE id = $1', [id])
      : undefined;
    if (!row) throw notFound('interaction', id ?? '');
    return toInteractionView(row);
  }

  /** Newest first; the cursor is the (occurredAt, id) of the last item seen, so pages never skip or repeat. */
  async timeline(customerId: string, limit = 20, cursor?: string): Promise<TimelineView> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await queryRows<InteractionRow>(
      this.dataSource,
      `SELECT * FROM interactions WHERE customer_id = $1
          AND ($2::timestamptz IS NULL OR (occurred_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY occurred_at DESC, id DESC LIMIT $4`,
      [customerId, after?.occurredAt ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map(toInteractionView),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }

  /** Removes the personal content of a customer's interactions (participants, feedback, follow-up, topic). */
  async erase(manager: EntityManager, customerId: string): Promise<void> {
    await execute(
      manager,
      `UPDATE interactions SET participants = '{}', customer_feedback = NULL, follow_up_action = NULL, topic = '(erased)'
        WHERE customer_id = $1`,
      [customerId],
    );
  }
}
