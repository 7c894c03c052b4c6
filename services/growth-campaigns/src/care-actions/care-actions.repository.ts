import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { queryRows } from '@crm/persistence';

interface CareActionRow {
  id: string;
  playbook_id: string;
  action: string;
  purpose: string;
  channel: string;
  status: string;
  reason: string | null;
  idempotency_key: string;
  trigger_event_id: string;
  contact_due_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
}

export class CareActionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() playbook: string;
  @ApiProperty() action: string;
  @ApiProperty({ enum: ['service', 'marketing'] }) purpose: string;
  @ApiProperty() channel: string;
  @ApiProperty({ enum: ['triggered', 'suppressed', 'delivered', 'failed'] }) status: string;
  @ApiPropertyOptional({ nullable: true, description: 'Why it was suppressed or failed' }) reason:
    string | null;
  @ApiProperty() idempotencyKey: string;
  @ApiProperty() triggeredByEventId: string;
  @ApiPropertyOptional({ nullable: true }) contactDueAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional({ nullable: true }) deliveredAt: Date | null;
}

/** A journey entered on a platform trigger whose first step is one touch: what used to be a playbook. */
export class PlaybookView {
  @ApiProperty({ description: 'The name its touches carry as `playbook`' }) id: string;
  @ApiProperty({ description: 'The journey it is (GET/PUT /campaigns/journeys/:id)' }) journey: string;
  @ApiProperty() trigger: string;
  @ApiProperty() action: string;
  @ApiProperty({ enum: ['service', 'marketing'] }) purpose: string;
  @ApiProperty() channel: string;
  @ApiPropertyOptional({ nullable: true }) contactDueHours: number | null;
  @ApiPropertyOptional({ nullable: true }) category: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty() description: string;
}

@Injectable()
export class CareActionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async forCustomer(customerId: string): Promise<CareActionView[]> {
    const rows = await queryRows<CareActionRow>(
      this.dataSource,
      'SELECT * FROM care_actions WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 200',
      [customerId],
    );
    return rows.map((r) => ({
      id: r.id,
      playbook: r.playbook_id,
      action: r.action,
      purpose: r.purpose,
      channel: r.channel,
      status: r.status,
      reason: r.reason,
      idempotencyKey: r.idempotency_key,
      triggeredByEventId: r.trigger_event_id,
      contactDueAt: r.contact_due_at,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
    }));
  }
}
