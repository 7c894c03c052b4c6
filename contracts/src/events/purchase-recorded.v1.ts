import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsString,
  IsUUID,
  Matches,
  Min,
  ValidateNested,
  IsObject,
  IsOptional,
} from 'class-validator';
import { IsOneOf, IsTimestamp, TextLength, IsMoney } from './common';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';

export class PurchaseItemV1 {
  @IsString() @TextLength(1, 64) sku: string;
  @IsString() @TextLength(1, 64) category: string;
  @IsInt() @Min(1) quantity: number;
  @IsMoney() @Min(0) unitPrice: number;
}

/** Per-customer aggregates after this purchase, as customer-profile computed them. */
export class PurchaseAggregatesV1 {
  @IsMoney() lifetimeSpend: number;
  @IsMoney() trailing12mSpend: number;
  @IsInt() @Min(0) trailing12mPurchaseCount: number;
  @IsInt() @Min(1) lifetimePurchaseCount: number;
  @IsTimestamp() firstPurchaseAt: string;
  @IsTimestamp() lastPurchaseAt: string;
}

export class PurchaseRecordedV1 {
  @IsUUID() customerId: string;
  /** The caller's order id: the idempotency key of the purchase. */
  @IsString() @TextLength(1, 64) orderId: string;
  @IsMoney() @Min(0) amount: number;
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO-4217 code such as EUR' }) currency: string;
  @IsTimestamp() occurredAt: string;
  @IsBoolean() firstPurchase: boolean;
  @IsArray()
  @ArrayMaxSize(500)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PurchaseItemV1)
  items: PurchaseItemV1[];
  @IsObject() @ValidateNested() @Type(() => PurchaseAggregatesV1) aggregates: PurchaseAggregatesV1;
  /** When payment is due (invoiced orders): a reminder goes out before it, a thank-you after payment. */
  @IsOptional() @IsTimestamp() paymentDueAt?: string;
  /** When the warranty of what was bought ends: care before it expires. */
  @IsOptional() @IsTimestamp() warrantyUntil?: string;
}

/** A payment against an order (in part or in full), once per payment id. */
export class PaymentRecordedV1 {
  @IsUUID() customerId: string;
  @IsString() @TextLength(1, 64) orderId: string;
  /** The caller's payment id: the idempotency key of the payment. */
  @IsString() @TextLength(1, 64) paymentId: string;
  @IsMoney() @Min(0) amount: number;
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO-4217 code such as EUR' }) currency: string;
  @IsTimestamp() paidAt: string;
  /** Whether the order is now paid in full. */
  @IsBoolean() paidInFull: boolean;
}

export const PurchaseRecorded = defineEvent({
  type: 'crm.purchase.recorded.v1',
  topic: Topics.purchases,
  description: 'A purchase was recorded for a customer (live or history import).',
  payload: PurchaseRecordedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    orderId: 'SO-2024-0001',
    amount: 120000,
    currency: 'EUR',
    occurredAt: '2024-05-20T09:30:00.000Z',
    firstPurchase: false,
    items: [{ sku: 'PUMP-200', category: 'pumps', quantity: 4, unitPrice: 30000 }],
    aggregates: {
      lifetimeSpend: 5000000,
      trailing12mSpend: 420000,
      trailing12mPurchaseCount: 6,
      lifetimePurchaseCount: 31,
      firstPurchaseAt: '2022-05-20T09:30:00.000Z',
      lastPurchaseAt: '2024-05-20T09:30:00.000Z',
    },
  },
});

export const PaymentRecorded = defineEvent({
  type: 'crm.payment.recorded.v1',
  topic: Topics.purchases,
  description: 'A payment was recorded against an order (in part or in full).',
  payload: PaymentRecordedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    orderId: 'SO-2024-0001',
    paymentId: 'PAY-2024-0001',
    amount: 120000,
    currency: 'EUR',
    paidAt: '2024-06-15T10:00:00.000Z',
    paidInFull: true,
  },
});

export const REFUND_REASONS = ['returned', 'defective', 'goodwill', 'cancelled', 'other'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

/**
 * A purchase was refunded in part or in full (once per refund id). Scores, aggregates and KPIs are net of it;
 * it is a service moment (no marketing while it passes); a referral whose qualifying order is fully refunded
 * within the return window is clawed back.
 */
export class PurchaseRefundedV1 {
  @IsUUID() customerId: string;
  @IsString() @TextLength(1, 64) orderId: string;
  /** The caller's refund id: the idempotency key of the refund. */
  @IsString() @TextLength(1, 64) refundId: string;
  @IsMoney() @Min(0) amount: number;
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO-4217 code such as EUR' }) currency: string;
  @IsOneOf(REFUND_REASONS) reason: RefundReason;
  /** Refunded on the order so far, this refund included, and the order's amount. */
  @IsMoney() @Min(0) refundedOnOrder: number;
  @IsMoney() @Min(0) orderAmount: number;
  @IsBoolean() fullyRefunded: boolean;
  @IsTimestamp() orderOccurredAt: string;
  @IsTimestamp() refundedAt: string;
  /** The customer's lifetime spend net of refunds, after this one. */
  @IsMoney() lifetimeSpend: number;
}

export const PurchaseRefunded = defineEvent({
  type: 'crm.purchase.refunded.v1',
  topic: Topics.purchases,
  description:
    'A purchase was refunded in part or in full; scores and aggregates are net of it, and it is a service moment.',
  payload: PurchaseRefundedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    orderId: 'SO-2024-0001',
    refundId: 'RF-2024-0001',
    amount: 30000,
    currency: 'EUR',
    reason: 'returned',
    refundedOnOrder: 30000,
    orderAmount: 120000,
    fullyRefunded: false,
    orderOccurredAt: '2024-05-20T09:30:00.000Z',
    refundedAt: '2024-05-27T11:00:00.000Z',
    lifetimeSpend: 4970000,
  },
});
