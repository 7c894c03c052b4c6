import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { REFUND_REASONS, type RefundReason } from '@crm/contracts';

/** A caller's own id of an order, a payment or a refund. */
export const CALLER_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/** An ISO-4217 currency code. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

export class PurchaseItemDto {
  @ApiProperty({ example: 'PUMP-200' }) @IsString() @Length(1, 64) sku: string;
  @ApiProperty({ example: 'pumps' }) @IsString() @Length(1, 64) category: string;
  @ApiProperty({ example: 2 }) @IsInt() @Min(1) quantity: number;
  @ApiProperty({ example: 30000 }) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) unitPrice: number;
}

export class RecordPurchaseDto {
  @ApiProperty({
    description: "The caller's order id; sending it again records nothing new",
    example: 'SO-2024-0001',
  })
  @IsString()
  @Matches(CALLER_ID_PATTERN, {
    message: 'orderId must be 1-64 letters, digits, dots, colons, dashes or underscores',
  })
  orderId: string;
  @ApiProperty({ example: 60000 }) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) amount: number;
  @ApiProperty({ example: 'EUR' })
  @Matches(CURRENCY_PATTERN, { message: 'currency must be an ISO-4217 code such as EUR' })
  currency: string;
  @ApiProperty({ description: 'When the purchase happened; past allowed (history import), future rejected' })
  @IsISO8601()
  occurredAt: string;
  @ApiPropertyOptional({
    description: 'When payment is due (invoiced orders): a reminder goes out 3 days ahead',
  })
  @IsOptional()
  @IsISO8601()
  paymentDueAt?: string;
  @ApiPropertyOptional({ description: 'When the warranty ends: care goes out ahead of it' })
  @IsOptional()
  @IsISO8601()
  warrantyUntil?: string;
  @ApiProperty({ type: [PurchaseItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => PurchaseItemDto)
  items: PurchaseItemDto[];
}

export class RecordPaymentDto {
  @ApiProperty({
    description: "The caller's payment id; sending it again records nothing new",
    example: 'PAY-0001',
  })
  @IsString()
  @Matches(CALLER_ID_PATTERN, {
    message: 'paymentId must be 1-64 letters, digits, dots, colons, dashes or underscores',
  })
  paymentId: string;
  @ApiProperty({ example: 60000 }) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0.01) amount: number;
  @ApiPropertyOptional({ description: 'When it was paid (default now); future rejected' })
  @IsOptional()
  @IsISO8601()
  paidAt?: string;
}

export class RecordRefundDto {
  @ApiProperty({
    description: "The caller's refund id; sending it again records nothing new",
    example: 'RF-0001',
  })
  @IsString()
  @Matches(CALLER_ID_PATTERN, {
    message: 'refundId must be 1-64 letters, digits, dots, colons, dashes or underscores',
  })
  refundId: string;
  @ApiProperty({ example: 30000, description: 'At most what is not yet refunded on the order' })
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  amount: number;
  @ApiProperty({ enum: REFUND_REASONS }) @IsIn(REFUND_REASONS) reason: RefundReason;
  @ApiPropertyOptional({
    description: 'When it was refunded (default now); not before the order, not in the future',
  })
  @IsOptional()
  @IsISO8601()
  refundedAt?: string;
}
