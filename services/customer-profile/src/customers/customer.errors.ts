import { GoneException } from '@nestjs/common';
import { conflict } from '@crm/service-kit';

/** Codes of customer-profile's errors; they travel in the body's `code`, where `instanceof` cannot. */
export enum CustomerErrorCode {
  ExternalRefTaken = 'CUSTOMER_EXTERNAL_REF_TAKEN',
  EmailTaken = 'CUSTOMER_EMAIL_TAKEN',
  OrderAlreadyRecorded = 'ORDER_ALREADY_RECORDED',
  PaymentAlreadyRecorded = 'PAYMENT_ALREADY_RECORDED',
  RefundAlreadyRecorded = 'REFUND_ALREADY_RECORDED',
  Erased = 'CUSTOMER_ERASED',
}

export const emailTaken = () =>
  conflict(CustomerErrorCode.EmailTaken, 'email', 'a customer with this email already exists');

/** A write to a customer whose personal data was erased: 410, the customer is gone for good. */
export const customerErased = (id: string) =>
  new GoneException({
    statusCode: 410,
    error: 'Gone',
    code: CustomerErrorCode.Erased,
    field: 'customerId',
    message: `customer ${id} was erased; nothing more can be written about them`,
  });
