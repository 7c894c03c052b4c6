import { conflict } from '@crm/service-kit';

/** Codes of customer-profile's errors; they travel in the body's `code`, where `instanceof` cannot. */
export enum CustomerErrorCode {
  ExternalRefTaken = 'CUSTOMER_EXTERNAL_REF_TAKEN',
  EmailTaken = 'CUSTOMER_EMAIL_TAKEN',
  OrderAlreadyRecorded = 'ORDER_ALREADY_RECORDED',
}

export const emailTaken = () =>
  conflict(CustomerErrorCode.EmailTaken, 'email', 'a customer with this email already exists');
