import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@crm/auth';
import { CorrelationId, invalid, ParseUuid } from '@crm/service-kit';
import { PurchasesService, type PaymentView, type PurchaseView, type RefundView } from './purchases.service';
import {
  CALLER_ID_PATTERN,
  RecordPaymentDto,
  RecordPurchaseDto,
  RecordRefundDto,
} from './record-purchase.dto';

@ApiTags('purchases')
@ApiBearerAuth()
@Controller('customers/:customerId/purchases')
export class PurchasesController {
  constructor(private readonly purchases: PurchasesService) {}

  @Post()
  @Roles('agent', 'integration')
  @ApiOperation({
    summary: 'Record a purchase: 201 the first time, 200 with the same answer for a repeated orderId',
  })
  async record(
    @Param('customerId', new ParseUuid()) customerId: string,
    @Body() dto: RecordPurchaseDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: { status(code: number): unknown },
  ): Promise<PurchaseView> {
    const { purchase, created } = await this.purchases.record(customerId, dto, correlationId);
    response.status(created ? 201 : 200);
    return purchase;
  }

  @Post(':orderId/payments')
  @Roles('agent', 'integration')
  @ApiOperation({
    summary: 'Record a payment against an order: 201 the first time, 200 for a repeated paymentId',
  })
  async pay(
    @Param('customerId', new ParseUuid()) customerId: string,
    @Param('orderId') orderId: string,
    @Body() dto: RecordPaymentDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: { status(code: number): unknown },
  ): Promise<PaymentView> {
    if (!CALLER_ID_PATTERN.test(orderId))
      throw invalid('orderId', 'orderId must be 1-64 letters, digits, dots, colons, dashes or underscores');
    const { payment, created } = await this.purchases.recordPayment(customerId, orderId, dto, correlationId);
    response.status(created ? 201 : 200);
    return payment;
  }

  @Post(':orderId/refunds')
  @Roles('agent', 'integration')
  @ApiOperation({
    summary:
      'Refund an order in part or in full: 201 the first time, 200 for a repeated refundId; scores are net of it',
  })
  async refund(
    @Param('customerId', new ParseUuid()) customerId: string,
    @Param('orderId') orderId: string,
    @Body() dto: RecordRefundDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: { status(code: number): unknown },
  ): Promise<RefundView> {
    if (!CALLER_ID_PATTERN.test(orderId))
      throw invalid('orderId', 'orderId must be 1-64 letters, digits, dots, colons, dashes or underscores');
    const { refund, created } = await this.purchases.recordRefund(customerId, orderId, dto, correlationId);
    response.status(created ? 201 : 200);
    return refund;
  }

  @Get()
  @Roles('agent', 'analyst', 'integration')
  list(@Param('customerId', new ParseUuid()) customerId: string): Promise<PurchaseView[]> {
    return this.purchases.list(customerId);
  }
}
