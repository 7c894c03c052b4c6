import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { execute, queryOne, queryRows, type Queryable } from '@crm/persistence';
import type { SlaPolicy } from './sla-policy';

/** A row of `sla_policies`. */
export interface SlaPolicyRow {
  id: string;
  position: number;
  ticket_type: string | null;
  customer_tier: string | null;
  customer_segment: string | null;
  priority: string | null;
  first_response_seconds: number;
  next_response_seconds: number | null;
  resolution_seconds: number;
  requires_owner: boolean;
  calendar_id: string | null;
  description: string | null;
}

export function policyFromRow(row: SlaPolicyRow): SlaPolicy {
  return {
    id: row.id,
    position: row.position,
    ticketType: row.ticket_type ?? null,
    customerTier: row.customer_tier ?? null,
    customerSegment: row.customer_segment ?? null,
    priority: row.priority ?? null,
    firstResponseSeconds: row.first_response_seconds,
    nextResponseSeconds: row.next_response_seconds ?? null,
    resolutionSeconds: row.resolution_seconds,
    requiresOwner: row.requires_owner,
    calendarId: row.calendar_id ?? null,
    description: row.description ?? '',
  };
}

@Injectable()
export class SlaPoliciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every policy in the order they are tried. */
  async list(db: Queryable = this.dataSource): Promise<SlaPolicy[]> {
    const rows = await queryRows<SlaPolicyRow>(db, 'SELECT * FROM sla_policies ORDER BY position, id');
    return rows.map(policyFromRow);
  }

  async find(db: Queryable, id: string): Promise<SlaPolicy | undefined> {
    const row = await queryOne<SlaPolicyRow>(db, 'SELECT * FROM sla_policies WHERE id = $1', [id]);
    return row && policyFromRow(row);
  }

  async upsert(db: Queryable, p: SlaPolicy): Promise<void> {
    await execute(
      db,
      `INSERT INTO sla_policies (id, position, ticket_type, customer_tier, customer_segment, priority, first_response_seconds,
                                 next_response_seconds, resolution_seconds, requires_owner, calendar_id, description)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
       ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, ticket_type = EXCLUDED.ticket_type, customer_tier = EXCLUDED.customer_tier,
         customer_segment = EXCLUDED.customer_segment, priority = EXCLUDED.priority, first_response_seconds = EXCLUDED.first_response_seconds,
         next_response_seconds = EXCLUDED.next_response_seconds, resolution_seconds = EXCLUDED.resolution_seconds,
         requires_owner = EXCLUDED.requires_owner, calendar_id = EXCLUDED.calendar_id, description = EXCLUDED.description`,
      [
        p.id,
        p.position,
        p.ticketType,
        p.customerTier,
        p.customerSegment,
        p.priority,
        p.firstResponseSeconds,
        p.nextResponseSeconds,
        p.resolutionSeconds,
        p.requiresOwner,
        p.calendarId,
        p.description ?? '',
      ],
    );
  }

  /** Answers whether a policy was removed. */
  async remove(db: Queryable, id: string): Promise<boolean> {
    return (await execute(db, 'DELETE FROM sla_policies WHERE id = $1', [id])) > 0;
  }
}
