import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { execute, queryRows, type Queryable } from '@crm/persistence';

export const PERSONAL_FIELDS = ['name', 'email', 'phone', 'birthday', 'contacts'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];
export const AUDIT_ACTIONS = ['reveal', 'erase', 'export', 'deliver'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

interface AuditRow {
  id: string;
  actor: string;
  action: AuditAction;
  customer_id: string;
  fields: string[];
  reason: string;
  at: Date;
}

export class AuditEntryView {
  @ApiProperty() id: string;
  @ApiProperty({ description: "The caller's token subject" }) actor: string;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action: AuditAction;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ type: [String] }) fields: string[];
  @ApiProperty() reason: string;
  @ApiProperty() at: Date;
}

/** The audit log of personal data (reveals, erasures, subject-access exports): written in the transaction of the act, read by admins. */
@Injectable()
export class PersonalDataAudit {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    db: Queryable,
    entry: {
      actor: string;
      action: AuditAction;
      customerId: string;
      fields: readonly string[];
      reason: string;
    },
  ): Promise<void> {
    await execute(
      db,
      'INSERT INTO personal_data_audit (actor, action, customer_id, fields, reason) VALUES ($1, $2, $3, $4, $5)',
      [entry.actor, entry.action, entry.customerId, [...entry.fields], entry.reason],
    );
  }

  async list(customerId: string | undefined, limit: number): Promise<AuditEntryView[]> {
    const rows = await queryRows<AuditRow>(
      this.dataSource,
      `SELECT id::text, actor, action, customer_id, fields, reason, at FROM personal_data_audit
        WHERE ($1::uuid IS NULL OR customer_id = $1) ORDER BY at DESC, id DESC LIMIT $2`,
      [customerId ?? null, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      actor: r.actor,
      action: r.action,
      customerId: r.customer_id,
      fields: r.fields,
      reason: r.reason,
      at: r.at,
    }));
  }
}
