import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PaymentRecorded, PurchaseRecorded, PurchaseRefunded } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { execute, queryOne } from '@crm/persistence';
import { conflict, invalid, notFound } from '@crm/service-kit';
import { CustomersService } from '../customers/customers.service';
import { PurchaseEntity } from './purchase.entity';
import type { RecordPaymentDto, RecordPurchaseDto, RecordRefundDto } from './record-purchase.dto';
import { CustomerErrorCode } from '../customers/customer.errors';

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
    return this.dataSource.transaction(async (manager) => {
      const customer = await this.customers.lockLiveCustomer(manager, customerId);
      const existing = await manager.findOneBy(PurchaseEntity, { orderId: dto.orderId });
      if (existing) {
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
        return { purchase: this.view(existing), created: false };
      }
      const purchase = Object.assign(new PurchaseEntity(), {
        id: randomUUID(),
        customerId,
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
      if (!customer.lastPurchaseAt || occurredAt > customer.lastPurchaseAt)
        customer.lastPurchaseAt = occurredAt;
      customer.updatedAt = new Date();
      await manager.save(customer);
      await manager.insert(PurchaseEntity, purchase);
      const trailing = (await queryOne<{ spend: number; n: number }>(
        manager,
        `SELECT coalesce(sum(amount), 0)::float8 AS spend, count(*)::int AS n FROM purchases
          WHERE customer_id = $1 AND occurred_at > now() - interval '12 months'`,
        [customerId],
      )) ?? { spend: 0, n: 0 };
      const published = await this.outbox.publish(
        manager,
        PurchaseRecorded,
        {
          customerId,
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
        { subject: customerId, correlationId, time: occurredAt, historical: options.historical },
      );
      purchase.eventId = published.id;
      await manager.update(PurchaseEntity, { id: purchase.id }, { eventId: published.id });
      return { purchase: this.view(purchase), created: true };
    });
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
