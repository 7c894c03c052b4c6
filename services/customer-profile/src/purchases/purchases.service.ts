import { randomUUID } from 'node:crypto';
import { HttpException, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { PaymentRecorded, PurchaseRecorded, PurchaseRefunded, type PurchaseRecordedV1 } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { execute, insertMany, PLAN_EACH_TIME, queryOne, queryRows } from '@crm/persistence';
import { conflict, invalid, isUniqueViolation, notFound } from '@crm/service-kit';
import { CustomersService } from '../customers/customers.service';
import { PurchaseEntity } from './purchase.entity';
import type { RecordPaymentDto, RecordPurchaseDto, RecordRefundDto } from './record-purchase.dto';
import { customerErased, CustomerErrorCode } from '../customers/customer.errors';
import { CustomerEntity } from '../customers/customer.entity';
import { oneByOne, type BulkOutcome, type BulkWriteOptions } from '../bulk/bulk-outcome';

export interface PurchaseView {
  id: string;
  customerId: string;
  orderId: string;
  amount: number;
  currency: string;
  occurredAt: string;
  items: PurchaseEntity['items'];
  paymentDueAt: string | null;
  warrantyUntil: string | null;
  eventId: string;
  recordedAt: string;
}

interface PaymentRow {
  payment_id: string;
  order_id: string;
  amount: string;
  paid_at: Date;
}

export interface PaymentView {
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  paidAt: string;
  /** Paid on the order so far, this payment included. */
  paidOnOrder: number;
  paidInFull: boolean;
}

function paymentView(row: PaymentRow, purchase: PurchaseEntity, paidOnOrder: number): PaymentView {
  return {
    paymentId: row.payment_id,
    orderId: row.order_id,
    amount: Number(row.amount),
    currency: purchase.currency,
    paidAt: row.paid_at.toISOString(),
    paidOnOrder,
    paidInFull: paidOnOrder >= purchase.amount,
  };
}

interface RefundRow {
  refund_id: string;
  order_id: string;
  amount: string;
  reason: string;
  refunded_at: Date;
}

export interface RefundView {
  refundId: string;
  orderId: string;
  amount: number;
  currency: string;
  reason: string;
  refundedAt: string;
  /** Refunded on the order so far, this refund included. */
  refundedOnOrder: number;
  fullyRefunded: boolean;
}

function refundView(row: RefundRow, purchase: PurchaseEntity, refundedOnOrder: number): RefundView {
  return {
    refundId: row.refund_id,
    orderId: row.order_id,
    amount: Number(row.amount),
    currency: purchase.currency,
    reason: row.reason,
    refundedAt: row.refunded_at.toISOString(),
    refundedOnOrder,
    fullyRefunded: refundedOnOrder >= purchase.amount,
  };
}

/** Clock skew allowed for "now" purchases from other systems. */
const FUTURE_TOLERANCE_MS = 60_000;

/** A customer's purchases of the last 12 months before this one, and where those 12 months begin. */
interface Trailing {
  spend: number;
  n: number;
  since: Date;
}

/** The purchase's time, once its amount and date pass the rules `record` applies. */
function checkedPurchase(dto: RecordPurchaseDto): Date {
  const occurredAt = new Date(dto.occurredAt);
  if (occurredAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) {
    throw invalid('occurredAt', 'must not be in the future');
  }
  const itemsTotal = dto.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  if (Math.abs(itemsTotal - dto.amount) > 0.005 * Math.max(1, dto.items.length)) {
    throw invalid(
      'amount',
      `must equal the sum of quantity × unitPrice (${dto.amount} is not the items total ${itemsTotal.toFixed(2)})`,
    );
  }
  return occurredAt;
}

/** An order already on record: the same content is a repeat; different content is a conflict. */
function sameOrder(
  existing: PurchaseEntity,
  customerId: string,
  dto: RecordPurchaseDto,
  occurredAt: Date,
): void {
  const same =
    existing.customerId === customerId &&
    existing.amount === dto.amount &&
    existing.currency === dto.currency &&
    existing.occurredAt.getTime() === occurredAt.getTime();
  if (!same)
    throw conflict(
      CustomerErrorCode.OrderAlreadyRecorded,
      'orderId',
      `order ${dto.orderId} was already recorded with different content`,
    );
}

/**
 * Applies a new purchase to its (locked) customer's aggregates and to the 12 trailing months, and answers
 * the purchase row and its `purchase recorded` payload.
 */
function applyPurchase(
  customer: CustomerEntity,
  trailing: Trailing,
  dto: RecordPurchaseDto,
  occurredAt: Date,
): { purchase: PurchaseEntity; payload: PurchaseRecordedV1 } {
  const purchase = Object.assign(new PurchaseEntity(), {
    id: randomUUID(),
    customerId: customer.id,
    orderId: dto.orderId,
    amount: dto.amount,
    currency: dto.currency,
    occurredAt,
    items: dto.items.map((i) => ({
      sku: i.sku,
      category: i.category,
      quantity: i.quantity,
      unitPrice: i.unitPrice,
    })),
    eventId: randomUUID() as string,
    recordedAt: new Date(),
    paymentDueAt: dto.paymentDueAt ? new Date(dto.paymentDueAt) : null,
    warrantyUntil: dto.warrantyUntil ? new Date(dto.warrantyUntil) : null,
  });
  const firstPurchase = customer.lifetimePurchaseCount === 0;
  customer.lifetimeSpend = Math.round((customer.lifetimeSpend + dto.amount) * 100) / 100;
  customer.lifetimePurchaseCount += 1;
  if (!customer.firstPurchaseAt || occurredAt < customer.firstPurchaseAt)
    customer.firstPurchaseAt = occurredAt;
  if (!customer.lastPurchaseAt || occurredAt > customer.lastPurchaseAt) customer.lastPurchaseAt = occurredAt;
  customer.updatedAt = new Date();
  if (occurredAt > new Date(trailing.since)) {
    trailing.spend += dto.amount;
    trailing.n += 1;
  }
  return {
    purchase,
    payload: {
      customerId: customer.id,
      orderId: purchase.orderId,
      amount: purchase.amount,
      currency: purchase.currency,
      occurredAt: occurredAt.toISOString(),
      firstPurchase,
      items: purchase.items,
      aggregates: {
        lifetimeSpend: customer.lifetimeSpend,
        trailing12mSpend: Math.round(trailing.spend * 100) / 100,
        trailing12mPurchaseCount: trailing.n,
        lifetimePurchaseCount: customer.lifetimePurchaseCount,
        firstPurchaseAt: customer.firstPurchaseAt.toISOString(),
        lastPurchaseAt: customer.lastPurchaseAt.toISOString(),
      },
      paymentDueAt: purchase.paymentDueAt?.toISOString(),
      warrantyUntil: purchase.warrantyUntil?.toISOString(),
    },
  };
}

@Injectable()
export class PurchasesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly customers: CustomersService,
  ) {}

  /** Records a purchase once per orderId; a repeat with the same content answers the first result. */
  async record(
    customerId: string,
    dto: RecordPurchaseDto,
    correlationId: string,
    options: { historical?: boolean } = {},
  ): Promise<{ purchase: PurchaseView; created: boolean }> {
    const occurredAt = checkedPurchase(dto);
    return this.dataSource.transaction(async (manager) => {
      const customer = await this.customers.lockLiveCustomer(manager, customerId);
      const existing = await manager.findOneBy(PurchaseEntity, { orderId: dto.orderId });
      if (existing) {
        sameOrder(existing, customerId, dto, occurredAt);
        return { purchase: this.view(existing), created: false };
      }
      const trailing = (await queryOne<{ spend: number; n: number }>(
        manager,
        `SELECT coalesce(sum(amount), 0)::float8 AS spend, count(*)::int AS n, now() - interval '12 months' AS since
           FROM purchases WHERE customer_id = $1 AND occurred_at > now() - interval '12 months'`,
        [customerId],
      )) as Trailing;
      const { purchase, payload } = applyPurchase(customer, trailing, dto, occurredAt);
      await manager.save(customer);
      const published = await this.outbox.publish(manager, PurchaseRecorded, payload, {
        subject: customerId,
        correlationId,
        time: occurredAt,
        historical: options.historical,
      });
      purchase.eventId = published.id;
      await manager.insert(PurchaseEntity, purchase);
      return { purchase: this.view(purchase), created: true };
    });
  }

  /**
   * Records many purchases in one transaction (a bulk import): the same rules, aggregates and events as
   * `record`, in order, with a few set-based statements. Each entry's outcome comes back in order: created,
   * unchanged (the order was already recorded with the same content) or the error `record` would have
   * thrown. `alsoInTransaction` runs before the commit with those outcomes (an import's checkpoint). Should
   * a concurrent writer record one of the orders meanwhile, the call falls back to one `record` per entry.
   */
  async recordMany(
    entries: Array<{ customerId: string; dto: RecordPurchaseDto }>,
    correlationId: string,
    options: BulkWriteOptions = {},
  ): Promise<BulkOutcome[]> {
    const outcomes: BulkOutcome[] = entries.map(() => ({ created: false }));
    const valid: Array<{ index: number; customerId: string; dto: RecordPurchaseDto; occurredAt: Date }> = [];
    entries.forEach(({ customerId, dto }, index) => {
      try {
        valid.push({ index, customerId, dto, occurredAt: checkedPurchase(dto) });
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        outcomes[index] = { created: false, error };
      }
    });
    try {
      await this.dataSource.transaction(async (manager) => {
        const ids = [...new Set(valid.map((v) => v.customerId))].sort();
        const customers = new Map(
          (
            await manager.find(CustomerEntity, {
              where: { id: In(ids) },
              order: { id: 'ASC' },
              lock: { mode: 'pessimistic_write' },
            })
          ).map((c) => [c.id, c]),
        );
        const known = new Map(
          (
            await manager.find(PurchaseEntity, { where: { orderId: In(valid.map((v) => v.dto.orderId)) } })
          ).map((p) => [p.orderId, p]),
        );
        // Each customer's purchases through the index, whatever the planner believes of the table. Until
        // purchases is first analyzed (autovacuum may take minutes, an import writes it in seconds), a join
        // is planned as a sequential scan (it guesses hundreds of rows a customer): 27 ms a batch at 127,000
        // purchases. A lateral read is one index lookup per customer; planned at each use, never kept from a
        // batch when the table was small, when a scan per customer was the cheaper plan.
        const trailingRows = await queryRows<Trailing & { customer_id: string }>(
          manager,
          `${PLAN_EACH_TIME} SELECT c.id AS customer_id, t.spend, t.n, now() - interval '12 months' AS since
             FROM unnest($1::uuid[]) AS c(id)
             CROSS JOIN LATERAL (
               SELECT coalesce(sum(p.amount), 0)::float8 AS spend, count(*)::int AS n
                 FROM purchases p
                WHERE p.customer_id = c.id AND p.occurred_at > now() - interval '12 months') AS t`,
          [ids],
        );
        const trailing = new Map(trailingRows.map((t) => [t.customer_id, t]));
        const written: Array<{ index: number; purchase: PurchaseEntity; payload: PurchaseRecordedV1 }> = [];
        for (const { index, customerId, dto, occurredAt } of valid) {
          try {
            const customer = customers.get(customerId);
            if (!customer) throw notFound('customer', customerId);
            if (customer.erasedAt) throw customerErased(customerId);
            const existing = known.get(dto.orderId);
            if (existing) {
              sameOrder(existing, customerId, dto, occurredAt);
              continue;
            }
            const { purchase, payload } = applyPurchase(customer, trailing.get(customerId)!, dto, occurredAt);
            known.set(dto.orderId, purchase);
            written.push({ index, purchase, payload });
            outcomes[index] = { created: true };
          } catch (error) {
            if (!(error instanceof HttpException)) throw error;
            outcomes[index] = { created: false, error };
          }
        }
        const published = await this.outbox.publishMany(
          manager,
          written.map(({ purchase, payload }) => ({
            definition: PurchaseRecorded,
            payload,
            meta: {
              subject: purchase.customerId,
              correlationId,
              time: purchase.occurredAt,
              historical: options.historical,
            },
          })),
          // The customers' rows are locked above; the payloads come from validated requests.
          { subjectsLockedByCaller: true, validation: 'sample' },
        );
        written.forEach((w, i) => (w.purchase.eventId = published[i].id));
        await insertMany(
          manager,
          'purchases',
          {
            id: 'uuid',
            customer_id: 'uuid',
            order_id: 'text',
            amount: 'numeric',
            currency: 'text',
            occurred_at: 'timestamptz',
            items: 'jsonb',
            event_id: 'uuid',
            payment_due_at: 'timestamptz',
            warranty_until: 'timestamptz',
            recorded_at: 'timestamptz',
          },
          written.map(({ purchase: p }) => ({
            id: p.id,
            customer_id: p.customerId,
            order_id: p.orderId,
            amount: p.amount,
            currency: p.currency,
            occurred_at: p.occurredAt,
            items: p.items,
            event_id: p.eventId,
            payment_due_at: p.paymentDueAt,
            warranty_until: p.warrantyUntil,
            recorded_at: p.recordedAt,
          })),
        );
        const touched = [...new Set(written.map((w) => w.purchase.customerId))].map((id) =>
          customers.get(id)!,
        );
        await execute(
          manager,
          `UPDATE customers c SET lifetime_spend = u.spend, lifetime_purchase_count = u.n,
                  first_purchase_at = u.first_at, last_purchase_at = u.last_at, updated_at = u.updated_at
             FROM unnest($1::uuid[], $2::numeric[], $3::int[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[])
               AS u(id, spend, n, first_at, last_at, updated_at)
            WHERE c.id = u.id`,
          [
            touched.map((c) => c.id),
            touched.map((c) => c.lifetimeSpend),
            touched.map((c) => c.lifetimePurchaseCount),
            touched.map((c) => c.firstPurchaseAt),
            touched.map((c) => c.lastPurchaseAt),
            touched.map((c) => c.updatedAt),
          ],
        );
        await options.alsoInTransaction?.(manager, outcomes);
      });
      return outcomes;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    return oneByOne(
      this.dataSource,
      entries,
      async ({ customerId, dto }) => (await this.record(customerId, dto, correlationId, options)).created,
      options.alsoInTransaction,
    );
  }

  /**
   * Records a payment against an order once per payment id (a repeat with the same content answers the
   * first result); never more than what is still owed. `payment recorded` says whether the order is now paid
   * in full.
   */
  async recordPayment(
    customerId: string,
    orderId: string,
    dto: RecordPaymentDto,
    correlationId: string,
  ): Promise<{ payment: PaymentView; created: boolean }> {
    const paidAt = dto.paidAt ? new Date(dto.paidAt) : new Date();
    if (paidAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS)
      throw invalid('paidAt', 'must not be in the future');
    return this.dataSource.transaction(async (manager) => {
      await this.customers.lockLiveCustomer(manager, customerId);
      const purchase = await manager.findOne(PurchaseEntity, {
        where: { orderId, customerId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!purchase) throw notFound('order of this customer', orderId);
      const existing = await queryOne<PaymentRow>(manager, 'SELECT * FROM payments WHERE payment_id = $1', [
        dto.paymentId,
      ]);
      const paid = await queryOne<{ total: number }>(
        manager,
        'SELECT coalesce(sum(amount), 0)::float8 AS total FROM payments WHERE order_id = $1',
        [orderId],
      );
      if (existing) {
        if (existing.order_id !== orderId || Number(existing.amount) !== dto.amount)
          throw conflict(
            CustomerErrorCode.PaymentAlreadyRecorded,
            'paymentId',
            `payment ${dto.paymentId} was already recorded with different content`,
          );
        return { payment: paymentView(existing, purchase, paid?.total ?? 0), created: false };
      }
      const outstanding = Math.round((purchase.amount - (paid?.total ?? 0)) * 100) / 100;
      if (dto.amount > outstanding)
        throw invalid('amount', `must be at most what is still owed on order ${orderId} (${outstanding})`);
      await execute(
        manager,
        'INSERT INTO payments (payment_id, customer_id, order_id, amount, paid_at) VALUES ($1, $2, $3, $4, $5)',
        [dto.paymentId, customerId, orderId, dto.amount, paidAt],
      );
      const total = Math.round(((paid?.total ?? 0) + dto.amount) * 100) / 100;
      await this.outbox.publish(
        manager,
        PaymentRecorded,
        {
          customerId,
          orderId,
          paymentId: dto.paymentId,
          amount: dto.amount,
          currency: purchase.currency,
          paidAt: paidAt.toISOString(),
          paidInFull: total >= purchase.amount,
        },
        { subject: customerId, correlationId, time: paidAt },
      );
      const row: PaymentRow = {
        payment_id: dto.paymentId,
        order_id: orderId,
        amount: String(dto.amount),
        paid_at: paidAt,
      };
      return { payment: paymentView(row, purchase, total), created: true };
    });
  }

  /**
   * Refunds an order in part or in full, once per refund id (a repeat with the same content answers the first
   * result, other content is 409 naming refundId); never beyond what is not yet refunded (400 naming amount).
   * The customer's lifetime spend is net of it, and `purchase refunded` tells the platform.
   */
  async recordRefund(
    customerId: string,
    orderId: string,
    dto: RecordRefundDto,
    correlationId: string,
  ): Promise<{ refund: RefundView; created: boolean }> {
    const refundedAt = dto.refundedAt ? new Date(dto.refundedAt) : new Date();
    if (refundedAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS)
      throw invalid('refundedAt', 'must not be in the future');
    return this.dataSource.transaction(async (manager) => {
      const customer = await this.customers.lockLiveCustomer(manager, customerId);
      const purchase = await manager.findOne(PurchaseEntity, {
        where: { orderId, customerId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!purchase) throw notFound('order of this customer', orderId);
      if (refundedAt < purchase.occurredAt) throw invalid('refundedAt', 'must not be before the order');
      const existing = await queryOne<RefundRow>(manager, 'SELECT * FROM refunds WHERE refund_id = $1', [
        dto.refundId,
      ]);
      const refunded = await queryOne<{ total: number }>(
        manager,
        'SELECT coalesce(sum(amount), 0)::float8 AS total FROM refunds WHERE order_id = $1',
        [orderId],
      );
      const before = refunded?.total ?? 0;
      if (existing) {
        if (
          existing.order_id !== orderId ||
          Number(existing.amount) !== dto.amount ||
          existing.reason !== dto.reason
        )
          throw conflict(
            CustomerErrorCode.RefundAlreadyRecorded,
            'refundId',
            `refund ${dto.refundId} was already recorded with different content`,
          );
        return { refund: refundView(existing, purchase, before), created: false };
      }
      const refundable = Math.round((purchase.amount - before) * 100) / 100;
      if (dto.amount > refundable)
        throw invalid(
          'amount',
          `must be at most what is not yet refunded on order ${orderId} (${refundable})`,
        );
      await execute(
        manager,
        `INSERT INTO refunds (refund_id, customer_id, order_id, amount, reason, refunded_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [dto.refundId, customerId, orderId, dto.amount, dto.reason, refundedAt],
      );
      const total = Math.round((before + dto.amount) * 100) / 100;
      customer.lifetimeSpend = Math.round((customer.lifetimeSpend - dto.amount) * 100) / 100;
      customer.updatedAt = new Date();
      await manager.save(customer);
      await this.outbox.publish(
        manager,
        PurchaseRefunded,
        {
          customerId,
          orderId,
          refundId: dto.refundId,
          amount: dto.amount,
          currency: purchase.currency,
          reason: dto.reason,
          refundedOnOrder: total,
          orderAmount: purchase.amount,
          fullyRefunded: total >= purchase.amount,
          orderOccurredAt: purchase.occurredAt.toISOString(),
          refundedAt: refundedAt.toISOString(),
          lifetimeSpend: customer.lifetimeSpend,
        },
        { subject: customerId, correlationId, time: refundedAt },
      );
      const row: RefundRow = {
        refund_id: dto.refundId,
        order_id: orderId,
        amount: String(dto.amount),
        reason: dto.reason,
        refunded_at: refundedAt,
      };
      return { refund: refundView(row, purchase, total), created: true };
    });
  }

  async list(customerId: string): Promise<PurchaseView[]> {
    await this.customers.get(customerId);
    const purchases = await this.dataSource.manager.find(PurchaseEntity, {
      where: { customerId },
      order: { occurredAt: 'DESC' },
      take: 500,
    });
    return purchases.map((p) => this.view(p));
  }

  private view(p: PurchaseEntity): PurchaseView {
    return {
      id: p.id,
      customerId: p.customerId,
      orderId: p.orderId,
      amount: p.amount,
      currency: p.currency,
      occurredAt: p.occurredAt.toISOString(),
      items: p.items,
      paymentDueAt: p.paymentDueAt?.toISOString() ?? null,
      warrantyUntil: p.warrantyUntil?.toISOString() ?? null,
      eventId: p.eventId,
      recordedAt: p.recordedAt.toISOString(),
    };
  }
}
