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
} from 'class-validator';
import { IsTimestamp, TextLength, IsMoney } from './common';
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
