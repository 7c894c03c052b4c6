import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import {
  POINTS_MOVEMENTS,
  POINTS_SOURCES,
  type PointsChangedV1,
  type PointsMovement,
  type PointsSource,
} from '@crm/contracts';
import { counter } from '@crm/observability';
import { dueIn, dueInSql, execute, queryOne, queryRows, ServiceClock } from '@crm/persistence';
import { conflict } from '@crm/service-kit';
import { allocate, type PointsLot } from './points-allocation';

/** Announced when a lot is earned, so the expiry worker learns its due time. */
export const POINTS_LOTS_CHANNEL = 'crm_points_lots';

export enum PointsErrorCode {
  Insufficient = 'POINTS_INSUFFICIENT',
  RedemptionReused = 'POINTS_REDEMPTION_REUSED',
  RuleInactive = 'POINTS_RULE_INACTIVE',
}

/** Publishes one movement (through the outbox, in the ledger's transaction). */
export type PublishPoints = (movement: PointsChangedV1) => Promise<unknown>;

export interface Earning {
  customerId: string;
  points: number;
  source: PointsSource;
  reason?: string;
  /** Once per key: a repeat earns nothing. */
  idempotencyKey: string;
  /** When it was earned (the purchase's time); the expiry counts from it. */
  at: Date;
  /** The earning rule's expiry (the caller has read the rule), or null: never. */
  expiresAfterDays: number | null;
}

interface RuleRow {
  source: PointsSource;
  description: string;
  points: number | null;
  points_per_unit: string | null;
  expires_after_days: number | null;
  active: boolean;
  updated_at: Date;
  updated_by: string;
}

interface EntryRow {
  id: string;
  customer_id: string;
  movement: PointsMovement;
  points: number;
  balance_after: number;
  source: PointsSource | null;
  reason: string | null;
  benefit: string | null;
  idempotency_key: string;
  expires_at: Date | null;
  remaining: number | null;
  occurred_at: Date;
}

export class PointsRuleView {
  @ApiProperty({ enum: POINTS_SOURCES }) source: PointsSource;
  @ApiProperty() description: string;
  @ApiPropertyOptional({ nullable: true, description: 'Fixed points per earning' }) points: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'Points per unit of the amount (purchases)' })
  pointsPerUnit: number | null;
  @ApiPropertyOptional({ nullable: true }) expiresAfterDays: number | null;
  @ApiProperty() active: boolean;
  @ApiProperty() updatedAt: Date;
  @ApiProperty() updatedBy: string;
}

export class PointsEntryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: POINTS_MOVEMENTS }) movement: PointsMovement;
  @ApiProperty() points: number;
  @ApiProperty() balanceAfter: number;
  @ApiPropertyOptional({ enum: POINTS_SOURCES, nullable: true }) source: PointsSource | null;
  @ApiPropertyOptional({ nullable: true }) reason: string | null;
  @ApiPropertyOptional({ nullable: true }) benefit: string | null;
  @ApiProperty() idempotencyKey: string;
  @ApiPropertyOptional({ nullable: true }) expiresAt: Date | null;
  @ApiPropertyOptional({ nullable: true, description: 'Earned points not yet redeemed or expired' })
  remaining: number | null;
  @ApiProperty() occurredAt: Date;
}

export class PointsAccountView {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() balance: number;
  @ApiProperty() earnedTotal: number;
  @ApiPropertyOptional({ nullable: true, description: 'The next points to expire, and when' })
  nextExpiry: { points: number; at: Date } | null;
  @ApiProperty({ type: [PointsEntryView], description: 'The latest 200 movements, newest first' })
  entries: PointsEntryView[];
}

export class RedemptionView extends PointsEntryView {
  @ApiProperty({
    description: 'true when this redemption id had already been redeemed (nothing moved again)',
  })
  replayed: boolean;
}

const movements = () =>
  counter('crm_points_movements_total', 'Care points movements', ['movement', 'source']);

const ruleView = (r: RuleRow): PointsRuleView => ({
  source: r.source,
  description: r.description,
  points: r.points,
  pointsPerUnit: r.points_per_unit === null ? null : Number(r.points_per_unit),
  expiresAfterDays: r.expires_after_days,
  active: r.active,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

const entryView = (r: EntryRow): PointsEntryView => ({
  id: r.id,
  movement: r.movement,
  points: r.points,
  balanceAfter: r.balance_after,
  source: r.source,
  reason: r.reason,
  benefit: r.benefit,
  idempotencyKey: r.idempotency_key,
  expiresAt: r.expires_at,
  remaining: r.remaining,
  occurredAt: r.occurred_at,
});

const changed = (r: EntryRow): PointsChangedV1 => ({
  customerId: r.customer_id,
  entryId: r.id,
  movement: r.movement,
  points: r.points,
  balance: r.balance_after,
  source: r.source ?? undefined,
  reason: r.reason ?? r.benefit ?? undefined,
  idempotencyKey: r.idempotency_key,
  expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : undefined,
  occurredAt: new Date(r.occurred_at).toISOString(),
});

/** Only whole points of at least one are credited. */
const creditable = (earning: Earning): boolean => Number.isInteger(earning.points) && earning.points >= 1;

/**
 * When a credited earning's lot expires: null when its rule never expires it, undefined when it has already
 * expired at `now` (an imported, long-past purchase), so nothing is credited.
 */
function lotExpiry(earning: Earning, now: Date): Date | null | undefined {
  const days = earning.expiresAfterDays;
  if (days === null) return null;
  const expiresAt = new Date(earning.at.getTime() + days * 86_400_000);
  return expiresAt > now ? expiresAt : undefined;
}

/**
 * The care points ledger: every movement a row, once per idempotency key, with the balance after it; a
 * balance that never goes below zero (a CHECK, and a redemption takes only what unexpired lots hold);
 * earned points are lots that redemptions consume soonest-to-expire first and the expiry timer empties.
 */
@Injectable()
export class PointsLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: ServiceClock,
  ) {}

  async rules(): Promise<PointsRuleView[]> {
    return (await queryRows<RuleRow>(this.dataSource, 'SELECT * FROM points_rules ORDER BY source')).map(
      ruleView,
    );
  }

  /** The rule of a source, when it is active. */
  async activeRule(manager: EntityManager, source: PointsSource): Promise<PointsRuleView | undefined> {
    const row = await queryOne<RuleRow>(manager, 'SELECT * FROM points_rules WHERE source = $1 AND active', [
      source,
    ]);
    return row ? ruleView(row) : undefined;
  }

  async updateRule(
    source: PointsSource,
    change: Partial<
      Pick<PointsRuleView, 'description' | 'points' | 'pointsPerUnit' | 'expiresAfterDays' | 'active'>
    >,
    by: string,
  ): Promise<PointsRuleView> {
    const row = await queryOne<RuleRow>(
      this.dataSource,
      `UPDATE points_rules SET
         description = coalesce($2, description),
         points = CASE WHEN $3::boolean THEN $4::int ELSE points END,
         points_per_unit = CASE WHEN $5::boolean THEN $6::numeric ELSE points_per_unit END,
         expires_after_days = CASE WHEN $7::boolean THEN $8::int ELSE expires_after_days END,
         active = coalesce($9, active), updated_at = now(), updated_by = $10
       WHERE source = $1 RETURNING *`,
      [
        source,
        change.description ?? null,
        change.points !== undefined,
        change.points ?? null,
        change.pointsPerUnit !== undefined,
        change.pointsPerUnit ?? null,
        change.expiresAfterDays !== undefined,
        change.expiresAfterDays ?? null,
        change.active ?? null,
        by,
      ],
    );
    return ruleView(row!);
  }

  /**
   * Credits an earning once (by its key), as a lot that expires after the source's rule says. Points
   * already expired when they are learnt (an imported, long-past purchase) are not credited. Answers the
   * entry, or undefined when nothing moved.
   */
  async earn(
    manager: EntityManager,
    earning: Earning,
    publish: PublishPoints,
  ): Promise<PointsEntryView | undefined> {
    if (!creditable(earning)) return undefined;
    const now = await this.clock.now(manager);
    const expiresAt = lotExpiry(earning, now);
    if (expiresAt === undefined) return undefined;
    const inserted = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO points_entries (id, customer_id, movement, points, balance_after, source, reason, idempotency_key,
                                   expires_at, remaining, occurred_at)
       VALUES ($1, $2, 'earned', $3, 0, $4, $5, $6, $7, $3, $8)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id, (SELECT pg_notify($9, current_schema() || $10) WHERE $10::text IS NOT NULL) AS announced`,
      [
        randomUUID(),
        earning.customerId,
        earning.points,
        earning.source,
        earning.reason?.slice(0, 200) ?? null,
        earning.idempotencyKey,
        expiresAt,
        earning.at,
        POINTS_LOTS_CHANNEL,
        // The expiry worker learns at commit when the new lot expires (nothing to do before then).
        expiresAt ? dueIn(expiresAt.getTime() - now.getTime()) : null,
      ],
    );
    if (inserted.length === 0) return undefined;
    const balance = await this.move(manager, earning.customerId, earning.points, now);
    return this.settle(manager, inserted[0].id, balance, publish);
  }

  /**
   * Credits earnings of distinct customers as `earn` does each, with three statements for all of them (the
   * lots, the balances, the balance after each lot); `publish` gets the credited earnings' movements at once,
   * in the earnings' order. Answers how many were credited.
   */
  async earnMany(
    manager: EntityManager,
    earnings: Earning[],
    publish: (credited: Array<{ earning: Earning; movement: PointsChangedV1 }>) => Promise<unknown>,
  ): Promise<number> {
    const creditables = earnings.filter(creditable);
    if (creditables.length === 0) return 0;
    const now = await this.clock.now(manager);
    const lots = creditables.flatMap((earning) => {
      const expiresAt = lotExpiry(earning, now);
      return expiresAt === undefined ? [] : [{ earning, expiresAt, id: randomUUID() }];
    });
    if (lots.length === 0) return 0;
    // The expiry worker learns at commit when the soonest new lot expires (nothing to do before then).
    const inserted = await queryRows<{ id: string; customer_id: string; points: number }>(
      manager,
      `WITH inserted AS (
         INSERT INTO points_entries (id, customer_id, movement, points, balance_after, source, reason, idempotency_key,
                                     expires_at, remaining, occurred_at)
         SELECT id, c, 'earned', p, 0, src, reason, key, exp, p, at
           FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
                       $8::timestamptz[]) AS r(id, c, p, src, reason, key, exp, at)
          ORDER BY c
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id, customer_id, points, expires_at),
       announced AS (
         SELECT pg_notify($9, current_schema() || ${dueInSql('min(expires_at)', '$10::timestamptz')})
           FROM inserted HAVING min(expires_at) IS NOT NULL)
       SELECT i.id, i.customer_id, i.points FROM inserted i CROSS JOIN (SELECT count(*) FROM announced) a`,
      [
        lots.map((l) => l.id),
        lots.map((l) => l.earning.customerId),
        lots.map((l) => l.earning.points),
        lots.map((l) => l.earning.source),
        lots.map((l) => l.earning.reason?.slice(0, 200) ?? null),
        lots.map((l) => l.earning.idempotencyKey),
        lots.map((l) => l.expiresAt),
        lots.map((l) => l.earning.at),
        POINTS_LOTS_CHANNEL,
        now,
      ],
    );
    if (inserted.length === 0) return 0;
    const balances = await queryRows<{ customer_id: string; balance: number }>(
      manager,
      `INSERT INTO points_balances (customer_id, balance, earned_total, updated_at)
       SELECT c, p, p, $3 FROM unnest($1::uuid[], $2::int[]) AS r(c, p) ORDER BY c
       ON CONFLICT (customer_id) DO UPDATE SET balance = points_balances.balance + EXCLUDED.balance,
         earned_total = points_balances.earned_total + EXCLUDED.earned_total, updated_at = EXCLUDED.updated_at
       RETURNING customer_id, balance`,
      [inserted.map((i) => i.customer_id), inserted.map((i) => i.points), now],
    );
    const balanceOf = new Map(balances.map((b) => [b.customer_id, b.balance]));
    const settled = await queryRows<EntryRow>(
      manager,
      `UPDATE points_entries e SET balance_after = r.balance FROM unnest($1::uuid[], $2::int[]) AS r(id, balance)
        WHERE e.id = r.id RETURNING e.*`,
      [inserted.map((i) => i.id), inserted.map((i) => balanceOf.get(i.customer_id)!)],
    );
    const byId = new Map(settled.map((row) => [row.id, row]));
    const credited = lots.flatMap((lot) => {
      const row = byId.get(lot.id);
      return row ? [{ earning: lot.earning, row }] : [];
    });
    await publish(credited.map(({ earning, row }) => ({ earning, movement: changed(row) })));
    for (const { row } of credited) movements().inc({ movement: row.movement, source: row.source ?? 'none' });
    return credited.length;
  }

  /**
   * Redeems points for a benefit, once per redemption id: a repeat answers the first redemption, a reused id
   * with other points is refused, and more points than the unexpired lots hold is refused (409 naming
   * `points`), so the balance never goes below zero.
   */
  async redeem(
    customerId: string,
    redemptionId: string,
    points: number,
    benefit: string,
    publish: (manager: EntityManager, movement: PointsChangedV1) => Promise<unknown>,
  ): Promise<RedemptionView> {
    return this.dataSource.transaction(async (manager) => {
      const key = `redemption:${redemptionId}`;
      // One customer's redemptions in turn: the balance row is the lock (created empty when there is none).
      const now = await this.clock.now(manager);
      await execute(
        manager,
        `INSERT INTO points_balances (customer_id, balance, updated_at) VALUES ($1, 0, $2)
         ON CONFLICT (customer_id) DO NOTHING`,
        [customerId, now],
      );
      await execute(manager, 'SELECT 1 FROM points_balances WHERE customer_id = $1 FOR UPDATE', [customerId]);
      const earlier = await queryOne<EntryRow>(
        manager,
        'SELECT * FROM points_entries WHERE idempotency_key = $1',
        [key],
      );
      if (earlier) {
        if (earlier.customer_id !== customerId || earlier.points !== points)
          throw conflict(
            PointsErrorCode.RedemptionReused,
            'redemptionId',
            `redemption ${redemptionId} was already used for ${earlier.points} points of another request`,
          );
        return { ...entryView(earlier), replayed: true };
      }
      const lots = (
        await queryRows<{ id: string; remaining: number; expires_at: Date | null; occurred_at: Date }>(
          manager,
          `SELECT id, remaining, expires_at, occurred_at FROM points_entries
            WHERE customer_id = $1 AND remaining > 0 AND (expires_at IS NULL OR expires_at > $2)
            FOR UPDATE`,
          [customerId, now],
        )
      ).map((r): PointsLot => ({
        id: r.id,
        remaining: r.remaining,
        expiresAt: r.expires_at ? new Date(r.expires_at) : null,
        occurredAt: new Date(r.occurred_at),
      }));
      const taken = allocate(lots, points);
      if (!taken) {
        const available = lots.reduce((sum, lot) => sum + lot.remaining, 0);
        throw conflict(
          PointsErrorCode.Insufficient,
          'points',
          `the customer has ${available} points to redeem; ${points} asked`,
        );
      }
      for (const { id, take } of taken)
        await execute(manager, 'UPDATE points_entries SET remaining = remaining - $2 WHERE id = $1', [
          id,
          take,
        ]);
      const id = randomUUID();
      await execute(
        manager,
        `INSERT INTO points_entries (id, customer_id, movement, points, balance_after, benefit, idempotency_key, occurred_at)
         VALUES ($1, $2, 'redeemed', $3, 0, $4, $5, $6)`,
        [id, customerId, points, benefit, key, now],
      );
      const balance = await this.move(manager, customerId, -points, now);
      const entry = await this.settle(manager, id, balance, (movement) => publish(manager, movement));
      return { ...entry, replayed: false };
    });
  }

  /**
   * Expires the due lots of up to 100 customers; answers how many customers it looked at. Locks in the order a
   * redemption does (the customer's balance, then the lots), so the two never deadlock; a customer whose
   * balance another transaction holds (SKIP LOCKED: a redemption, another replica) is taken next round.
   */
  async expireDue(
    publish: (manager: EntityManager, movement: PointsChangedV1) => Promise<unknown>,
  ): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = await this.clock.now(manager);
      const customers = await queryRows<{ customer_id: string }>(
        manager,
        `SELECT b.customer_id FROM points_balances b
          WHERE EXISTS (SELECT 1 FROM points_entries e
                         WHERE e.customer_id = b.customer_id AND e.remaining > 0 AND e.expires_at <= $1)
          LIMIT 100 FOR UPDATE OF b SKIP LOCKED`,
        [now],
      );
      for (const { customer_id: customerId } of customers) {
        const due = await queryRows<{ id: string; remaining: number; expires_at: Date }>(
          manager,
          `SELECT id, remaining, expires_at FROM points_entries
            WHERE customer_id = $1 AND remaining > 0 AND expires_at <= $2 ORDER BY expires_at FOR UPDATE`,
          [customerId, now],
        );
        for (const lot of due) {
          await execute(manager, 'UPDATE points_entries SET remaining = 0 WHERE id = $1', [lot.id]);
          const id = randomUUID();
          await execute(
            manager,
            `INSERT INTO points_entries (id, customer_id, movement, points, balance_after, idempotency_key, lot_id, occurred_at)
             VALUES ($1, $2, 'expired', $3, 0, $4, $5, $6)`,
            [id, customerId, lot.remaining, `expiry:${lot.id}`, lot.id, lot.expires_at],
          );
          const balance = await this.move(manager, customerId, -lot.remaining, now);
          await this.settle(manager, id, balance, (movement) => publish(manager, movement));
        }
      }
      return customers.length;
    });
  }

  /** Milliseconds of the service clock until the next lot expires, if any. */
  msUntilNextExpiry(): Promise<number | undefined> {
    return this.clock.msUntil(
      'SELECT min(expires_at) AS at FROM points_entries WHERE remaining > 0 AND expires_at IS NOT NULL',
    );
  }

  /**
   * Takes back points once granted (a clawed-back referral reward), once per idempotency key, in the caller's
   * transaction: as many as the customer's unexpired lots still hold, soonest to expire first; the rest is
   * the entry's `shortfall`. The balance never goes below zero, and the entry is the record either way.
   * Answers undefined when the key was already used.
   */
  async clawBack(
    manager: EntityManager,
    claw: { customerId: string; points: number; idempotencyKey: string; reason: string },
    publish: PublishPoints,
  ): Promise<{ recovered: number; shortfall: number } | undefined> {
    const now = await this.clock.now(manager);
    await execute(
      manager,
      `INSERT INTO points_balances (customer_id, balance, updated_at) VALUES ($1, 0, $2)
       ON CONFLICT (customer_id) DO NOTHING`,
      [claw.customerId, now],
    );
    await execute(manager, 'SELECT 1 FROM points_balances WHERE customer_id = $1 FOR UPDATE', [
      claw.customerId,
    ]);
    if (
      await queryOne(manager, 'SELECT 1 FROM points_entries WHERE idempotency_key = $1', [
        claw.idempotencyKey,
      ])
    )
      return undefined;
    const lots = (
      await queryRows<{ id: string; remaining: number; expires_at: Date | null; occurred_at: Date }>(
        manager,
        `SELECT id, remaining, expires_at, occurred_at FROM points_entries
          WHERE customer_id = $1 AND remaining > 0 AND (expires_at IS NULL OR expires_at > $2)
          FOR UPDATE`,
        [claw.customerId, now],
      )
    ).map((r): PointsLot => ({
      id: r.id,
      remaining: r.remaining,
      expiresAt: r.expires_at ? new Date(r.expires_at) : null,
      occurredAt: new Date(r.occurred_at),
    }));
    const available = lots.reduce((sum, lot) => sum + lot.remaining, 0);
    const recovered = Math.min(claw.points, available);
    for (const { id, take } of recovered > 0 ? (allocate(lots, recovered) ?? []) : [])
      await execute(manager, 'UPDATE points_entries SET remaining = remaining - $2 WHERE id = $1', [
        id,
        take,
      ]);
    const id = randomUUID();
    const shortfall = claw.points - recovered;
    await execute(
      manager,
      `INSERT INTO points_entries (id, customer_id, movement, points, balance_after, reason, idempotency_key, shortfall, occurred_at)
       VALUES ($1, $2, 'clawed-back', $3, 0, $4, $5, $6, $7)`,
      [id, claw.customerId, recovered, claw.reason, claw.idempotencyKey, shortfall, now],
    );
    if (recovered > 0) {
      const balance = await this.move(manager, claw.customerId, -recovered, now);
      await this.settle(manager, id, balance, publish);
    } else {
      const row = await queryOne<{ balance: number }>(
        manager,
        'SELECT balance FROM points_balances WHERE customer_id = $1',
        [claw.customerId],
      );
      await execute(manager, 'UPDATE points_entries SET balance_after = $2 WHERE id = $1', [
        id,
        row?.balance ?? 0,
      ]);
    }
    return { recovered, shortfall };
  }

  /** The movement an idempotency key made, if any. */
  async entryByKey(
    manager: EntityManager,
    key: string,
  ): Promise<(PointsEntryView & { customerId: string }) | undefined> {
    const row = await queryOne<EntryRow>(manager, 'SELECT * FROM points_entries WHERE idempotency_key = $1', [
      key,
    ]);
    return row ? { ...entryView(row), customerId: row.customer_id } : undefined;
  }

  async account(customerId: string): Promise<PointsAccountView> {
    const balance = await queryOne<{ balance: number; earned_total: string }>(
      this.dataSource,
      'SELECT balance, earned_total FROM points_balances WHERE customer_id = $1',
      [customerId],
    );
    const next = await queryOne<{ at: Date; points: string }>(
      this.dataSource,
      `SELECT expires_at AS at, sum(remaining) AS points FROM points_entries
        WHERE customer_id = $1 AND remaining > 0 AND expires_at IS NOT NULL
        GROUP BY expires_at ORDER BY expires_at LIMIT 1`,
      [customerId],
    );
    const entries = await queryRows<EntryRow>(
      this.dataSource,
      'SELECT * FROM points_entries WHERE customer_id = $1 ORDER BY occurred_at DESC, recorded_at DESC LIMIT 200',
      [customerId],
    );
    return {
      customerId,
      balance: balance?.balance ?? 0,
      earnedTotal: Number(balance?.earned_total ?? 0),
      nextExpiry: next ? { points: Number(next.points), at: next.at } : null,
      entries: entries.map(entryView),
    };
  }

  /** Adds `delta` to the balance (created at zero); the CHECK refuses a balance below zero. */
  private async move(manager: EntityManager, customerId: string, delta: number, now: Date): Promise<number> {
    // Points leave only a balance that exists (they were earned into it); and an INSERT's candidate row is
    // checked before ON CONFLICT, so a negative delta is an UPDATE.
    if (delta < 0) {
      const row = await queryOne<{ balance: number }>(
        manager,
        'UPDATE points_balances SET balance = balance + $2, updated_at = $3 WHERE customer_id = $1 RETURNING balance',
        [customerId, delta, now],
      );
      if (!row) throw new Error(`no points balance for customer ${customerId} to take ${-delta} points from`);
      return row.balance;
    }
    const row = await queryOne<{ balance: number }>(
      manager,
      `INSERT INTO points_balances (customer_id, balance, earned_total, updated_at)
       VALUES ($1, $2, greatest($2, 0), $3)
       ON CONFLICT (customer_id) DO UPDATE SET balance = points_balances.balance + $2,
         earned_total = points_balances.earned_total + greatest($2, 0), updated_at = $3
       RETURNING balance`,
      [customerId, delta, now],
    );
    return row!.balance;
  }

  private async settle(
    manager: EntityManager,
    id: string,
    balance: number,
    publish: PublishPoints,
  ): Promise<PointsEntryView> {
    const row = await queryOne<EntryRow>(
      manager,
      'UPDATE points_entries SET balance_after = $2 WHERE id = $1 RETURNING *',
      [id, balance],
    );
    await publish(changed(row!));
    movements().inc({ movement: row!.movement, source: row!.source ?? 'none' });
    return entryView(row!);
  }
}
