import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import {
  NeedChanged,
  NeedRecorded,
  type NeedPriority,
  type NeedStatus,
  type NeedType,
  type NeedV1,
} from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { execute, queryOne, queryRows, ServiceClock, type Queryable } from '@crm/persistence';
import { mask, PersonalTexts } from '@crm/privacy';
import { invalid, notFound } from '@crm/service-kit';
import type { RecordNeedDto, UpdateNeedDto } from './needs.dto';

/** Wakes the work timers when a deadline is set or moved. */
export const WORK_TIMERS_CHANNEL = 'crm_work_timers';

export interface NeedRow {
  id: string;
  customer_id: string;
  type: NeedType;
  description_sealed: string;
  priority: NeedPriority;
  owner: string;
  due_at: Date;
  status: NeedStatus;
  solution_sealed: string | null;
  customer_confirmed_at: Date | null;
  overdue_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export class NeedView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() type: NeedType;
  @ApiPropertyOptional({ nullable: true, description: 'In full for agents and admins, masked for analysts' })
  description: string | null;
  @ApiProperty() priority: NeedPriority;
  @ApiProperty() owner: string;
  @ApiProperty() dueAt: Date;
  @ApiProperty() status: NeedStatus;
  @ApiPropertyOptional({ nullable: true }) solution: string | null;
  @ApiPropertyOptional({ nullable: true }) customerConfirmedAt: Date | null;
  @ApiProperty({ description: 'Past its due date unsolved' }) overdue: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

const OPEN: NeedStatus[] = ['open', 'in-progress'];
const fieldOf = (needId: string, field: string) => `need/${needId}/${field}`;

/**
 * The customer needs register (the handbook's needs analysis table): per customer, needs with type,
 * description, priority, owner, due date, status and the customer's confirmation of the solution. The
 * description and solution are sealed with the customer's text key; events carry neither.
 */
@Injectable()
export class NeedsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly texts: PersonalTexts,
    private readonly clock: ServiceClock,
  ) {}

  async record(customerId: string, dto: RecordNeedDto, correlationId: string): Promise<NeedView> {
    const id = randomUUID();
    await this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      await execute(
        manager,
        `INSERT INTO needs (id, customer_id, type, description_sealed, priority, owner, due_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
        [
          id,
          customerId,
          dto.type,
          await this.texts.seal(manager, customerId, fieldOf(id, 'description'), dto.description),
          dto.priority,
          dto.owner,
          new Date(dto.dueAt),
          now,
        ],
      );
      await execute(manager, `SELECT pg_notify('${WORK_TIMERS_CHANNEL}', '')`);
      const row = (await this.row(manager, id))!;
      await this.outbox.publish(manager, NeedRecorded, this.payload(row, now), {
        subject: customerId,
        correlationId,
      });
    });
    return this.view(id, true);
  }

  async update(needId: string, dto: UpdateNeedDto, correlationId: string): Promise<NeedView> {
    await this.dataSource.transaction(async (manager) => {
      const before = await queryOne<NeedRow>(manager, 'SELECT * FROM needs WHERE id = $1 FOR UPDATE', [
        needId,
      ]);
      if (!before) throw notFound('need', needId);
      const now = await this.clock.now(manager);
      const status = dto.status ?? before.status;
      if (dto.customerConfirmed && status !== 'solved')
        throw invalid('customerConfirmed', 'the customer can only confirm a solved need (set status solved)');
      if (dto.status && before.customer_confirmed_at && dto.status !== 'solved')
        throw invalid('status', 'the customer confirmed the solution; a confirmed need stays solved');
      const changed: string[] = [];
      if (dto.status && dto.status !== before.status) changed.push('status');
      if (dto.priority && dto.priority !== before.priority) changed.push('priority');
      if (dto.owner && dto.owner !== before.owner) changed.push('owner');
      const dueAt = dto.dueAt ? new Date(dto.dueAt) : before.due_at;
      if (dueAt.getTime() !== before.due_at.getTime()) changed.push('due-date');
      if (dto.customerConfirmed && !before.customer_confirmed_at) changed.push('confirmation');
      const solution = dto.solution
        ? await this.texts.seal(manager, before.customer_id, fieldOf(needId, 'solution'), dto.solution)
        : before.solution_sealed;
      if (changed.length === 0 && solution === before.solution_sealed) return;
      await execute(
        manager,
        `UPDATE needs SET status = $2, priority = $3, owner = $4, due_at = $5, solution_sealed = $6,
                customer_confirmed_at = $7, updated_at = $8,
                overdue_at = CASE WHEN $5::timestamptz > $8::timestamptz THEN NULL ELSE overdue_at END
          WHERE id = $1`,
        [
          needId,
          status,
          dto.priority ?? before.priority,
          dto.owner ?? before.owner,
          dueAt,
          solution,
          dto.customerConfirmed ? (before.customer_confirmed_at ?? now) : before.customer_confirmed_at,
          now,
        ],
      );
      if (changed.includes('due-date') || changed.includes('status'))
        await execute(manager, `SELECT pg_notify('${WORK_TIMERS_CHANNEL}', '')`);
      if (changed.length === 0) return;
      const row = (await this.row(manager, needId))!;
      await this.outbox.publish(
        manager,
        NeedChanged,
        {
          ...this.payload(row, now),
          changed,
          ...(changed.includes('status') ? { previousStatus: before.status } : {}),
        },
        { subject: row.customer_id, correlationId },
      );
    });
    return this.view(needId, true);
  }

  async forCustomer(customerId: string, readsText: boolean): Promise<NeedView[]> {
    const rows = await queryRows<NeedRow>(
      this.dataSource,
      'SELECT * FROM needs WHERE customer_id = $1 ORDER BY created_at DESC, id LIMIT 500',
      [customerId],
    );
    return this.views(rows, readsText);
  }

  /** An owner's unsolved needs: overdue first, then by due date. */
  async forOwner(owner: string, readsText: boolean): Promise<NeedView[]> {
    const rows = await queryRows<NeedRow>(
      this.dataSource,
      `SELECT * FROM needs WHERE owner = $1 AND status = ANY($2) ORDER BY due_at, id LIMIT 500`,
      [owner, OPEN],
    );
    return this.views(rows, readsText);
  }

  /** A need as its events carry it: no description, no solution. */
  payload(row: NeedRow, now: Date): NeedV1 {
    return {
      customerId: row.customer_id,
      needId: row.id,
      type: row.type,
      priority: row.priority,
      owner: row.owner,
      dueAt: row.due_at.toISOString(),
      status: row.status,
      customerConfirmed: row.customer_confirmed_at !== null,
      changedAt: now.toISOString(),
    };
  }

  /** Erasure: the customer's text key goes, and with it every description and solution. */
  async erase(manager: EntityManager, customerId: string): Promise<void> {
    await this.texts.erase(manager, customerId);
    await execute(manager, `UPDATE needs SET solution_sealed = NULL WHERE customer_id = $1`, [customerId]);
  }

  private row(db: Queryable, id: string): Promise<NeedRow | undefined> {
    return queryOne<NeedRow>(db, 'SELECT * FROM needs WHERE id = $1', [id]);
  }

  private async view(id: string, readsText: boolean): Promise<NeedView> {
    const row = await this.row(this.dataSource, id);
    if (!row) throw notFound('need', id);
    return (await this.views([row], readsText))[0];
  }

  private async views(rows: NeedRow[], readsText: boolean): Promise<NeedView[]> {
    const now = await this.clock.now();
    // One key read per customer, not per need: open every sealed text of a customer at once.
    const opened: Record<string, string | null> = {};
    for (const customerId of new Set(rows.map((r) => r.customer_id))) {
      const sealed: Record<string, string | null> = {};
      for (const r of rows.filter((x) => x.customer_id === customerId)) {
        sealed[fieldOf(r.id, 'description')] = r.description_sealed;
        sealed[fieldOf(r.id, 'solution')] = r.solution_sealed;
      }
      Object.assign(opened, await this.texts.open(this.dataSource, customerId, sealed));
    }
    const out: NeedView[] = [];
    for (const r of rows) {
      const text = (field: string) => {
        const plain = opened[fieldOf(r.id, field)] ?? null;
        return readsText ? plain : mask(plain);
      };
      out.push({
        id: r.id,
        customerId: r.customer_id,
        type: r.type,
        description: text('description'),
        priority: r.priority,
        owner: r.owner,
        dueAt: r.due_at,
        status: r.status,
        solution: text('solution'),
        customerConfirmedAt: r.customer_confirmed_at,
        overdue: OPEN.includes(r.status) && r.due_at.getTime() <= now.getTime(),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      });
    }
    return out;
  }
}
