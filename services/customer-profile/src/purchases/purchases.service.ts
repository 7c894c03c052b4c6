import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PurchaseRecorded } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { queryOne } from '@crm/persistence';
import { conflict, invalid } from '@crm/service-kit';
import { CustomersService } from '../customers/customers.service';
import { PurchaseEntity } from './purchase.entity';
import type { RecordPurchaseDto } from './record-purchase.dto';
import { CustomerErrorCode } from '../customers/customer.errors';

export interface PurchaseView {
  id: string;
  customerId: string;
  orderId: string;
  amount: number;
  currency: string;
  occurredAt: string;
  items: PurchaseEntity['items'];
  eventId: string;
  recordedAt: string;
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
        },
        { subject: customerId, correlationId, time: occurredAt, historical: options.historical },
      );
      purchase.eventId = published.id;
      await manager.update(PurchaseEntity, { id: purchase.id }, { eventId: published.id });
      return { purchase: this.view(purchase), created: true };
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
      eventId: p.eventId,
      recordedAt: p.recordedAt.toISOString(),
    };
  }
}
