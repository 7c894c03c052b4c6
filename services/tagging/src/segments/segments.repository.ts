import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { execute, queryOne, queryRows, type Queryable } from '@crm/persistence';

/** A row of `segments`. */
export interface SegmentRow {
  id: string;
  kind: 'dynamic' | 'static';
  expression: string | null;
  description: string;
  version: number;
  status: 'active' | 'suspended';
  suspended_reason: string | null;
}

export interface SegmentMemberRow {
  customer_id: string;
  entered_at: Date;
  caused_by_event_id: string | null;
  sweep_run_id: string | null;
}

export interface SegmentChangeRow {
  change: 'entered' | 'exited';
  caused_by_event_id: string | null;
  sweep_run_id: string | null;
  changed_at: Date;
}

export interface CustomerMembershipRow {
  segment_id: string;
  entered_at: Date;
  caused_by_event_id: string | null;
  sweep_run_id: string | null;
}

/** Joined into every statement that evaluates a segment (the compiled SQL reads `c` and `s`). */
export const SEGMENT_FROM = 'FROM customers c LEFT JOIN customer_scores s ON s.customer_id = c.customer_id';

const COLUMNS = 'id, kind, expression, description, version, status, suspended_reason';

@Injectable()
export class SegmentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  all(db: Queryable = this.dataSource): Promise<SegmentRow[]> {
    return queryRows<SegmentRow>(db, `SELECT ${COLUMNS} FROM segments ORDER BY id`);
  }

  /** The segments membership is kept for: suspended ones are left out until they are defined again. */
  active(db: Queryable = this.dataSource): Promise<SegmentRow[]> {
    return queryRows<SegmentRow>(db, `SELECT ${COLUMNS} FROM segments WHERE status = 'active' ORDER BY id`);
  }

  async count(db: Queryable): Promise<number> {
    return (await queryOne<{ n: number }>(db, 'SELECT count(*)::int AS n FROM segments'))?.n ?? 0;
  }

  async suspend(db: Queryable, id: string, reason: string): Promise<void> {
    await execute(
      db,
      `UPDATE segments SET status = 'suspended', suspended_reason = $2, suspended_at = now(), updated_at = now() WHERE id = $1`,
      [id, reason.slice(0, 500)],
    );
  }

  /** Deletes a segment (its members and list go with it); answers its members, their rows locked. */
  async remove(db: Queryable, id: string): Promise<string[] | undefined> {
    const segment = await queryOne<{ id: string }>(db, 'SELECT id FROM segments WHERE id = $1 FOR UPDATE', [
      id,
    ]);
    if (!segment) return undefined;
    const members = await queryRows<{ customer_id: string }>(
      db,
      'SELECT customer_id FROM segment_members WHERE segment_id = $1 ORDER BY customer_id',
      [id],
    );
    const ids = members.map((m) => m.customer_id);
    // The members' rows are locked, in key order, as every writer of their events does.
    await execute(
      db,
      'SELECT 1 FROM customers WHERE customer_id = ANY($1::uuid[]) ORDER BY customer_id FOR UPDATE',
      [ids],
    );
    await execute(db, 'DELETE FROM segments WHERE id = $1', [id]);
    return ids;
  }

  find(id: string, db: Queryable = this.dataSource): Promise<SegmentRow | undefined> {
    return queryOne<SegmentRow>(db, `SELECT ${COLUMNS} FROM segments WHERE id = $1`, [id]);
  }

  /** Inserts or replaces a definition; a changed expression or kind is a new version. */
  async upsert(
    db: Queryable,
    id: string,
    kind: SegmentRow['kind'],
    expression: string | null,
    description: string | null,
  ): Promise<SegmentRow> {
    const [row] = await queryRows<SegmentRow>(
      db,
      `INSERT INTO segments (id, kind, expression, description) VALUES ($1, $2, $3, coalesce($4, ''))
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, expression = EXCLUDED.expression,
         description = coalesce($4, segments.description), status = 'active', suspended_reason = NULL, suspended_at = NULL,
         version = segments.version + CASE WHEN segments.expression IS DISTINCT FROM EXCLUDED.expression OR segments.kind <> EXCLUDED.kind THEN 1 ELSE 0 END,
         updated_at = now()
       RETURNING ${COLUMNS}`,
      [id, kind, expression, description],
    );
    return row;
  }

  async replaceStaticList(db: Queryable, id: string, customerIds: string[]): Promise<void> {
    await execute(db, 'DELETE FROM static_segment_lists WHERE segment_id = $1', [id]);
    await execute(
      db,
      `INSERT INTO static_segment_lists (segment_id, customer_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [id, [...new Set(customerIds)]],
    );
  }

  async isListed(id: string, customerId: string): Promise<boolean> {
    const row = await queryOne(
      this.dataSource,
      'SELECT 1 FROM static_segment_lists WHERE segment_id = $1 AND customer_id = $2',
      [id, customerId],
    );
    return row !== undefined;
  }

  member(id: string, customerId: string): Promise<SegmentMemberRow | undefined> {
    return queryOne<SegmentMemberRow>(
      this.dataSource,
      'SELECT customer_id, entered_at, caused_by_event_id, sweep_run_id FROM segment_members WHERE segment_id = $1 AND customer_id = $2',
      [id, customerId],
    );
  }

  lastChange(id: string, customerId: string): Promise<SegmentChangeRow | undefined> {
    return queryOne<SegmentChangeRow>(
      this.dataSource,
      `SELECT change, caused_by_event_id, sweep_run_id, changed_at FROM segment_changes
        WHERE segment_id = $1 AND customer_id = $2 ORDER BY id DESC LIMIT 1`,
      [id, customerId],
    );
  }

  members(id: string, limit: number, after?: string): Promise<SegmentMemberRow[]> {
    return queryRows<SegmentMemberRow>(
      this.dataSource,
      `SELECT customer_id, entered_at, caused_by_event_id, sweep_run_id FROM segment_members
        WHERE segment_id = $1 AND ($2::uuid IS NULL OR customer_id > $2) ORDER BY customer_id LIMIT $3`,
      [id, after ?? null, limit],
    );
  }

  async memberCount(id: string): Promise<number> {
    const row = await queryOne<{ total: number }>(
      this.dataSource,
      'SELECT count(*)::int AS total FROM segment_members WHERE segment_id = $1',
      [id],
    );
    return row?.total ?? 0;
  }

  ofCustomer(customerId: string): Promise<CustomerMembershipRow[]> {
    return queryRows<CustomerMembershipRow>(
      this.dataSource,
      `SELECT segment_id, entered_at, caused_by_event_id, sweep_run_id FROM segment_members WHERE customer_id = $1 ORDER BY segment_id`,
      [customerId],
    );
  }

  /** Evaluates a compiled condition and its facts for one customer (`$1` as-of, `$2` customer). */
  evaluateFor(
    compiledSql: string,
    columns: string[],
    asOf: Date,
    customerId: string,
  ): Promise<Record<string, unknown> | undefined> {
    return queryOne<Record<string, unknown>>(
      this.dataSource,
      `SELECT c.registered, ${compiledSql} AS matches, ${columns.join(', ')} ${SEGMENT_FROM} WHERE c.customer_id = $2`,
      [asOf, customerId],
    );
  }
}
