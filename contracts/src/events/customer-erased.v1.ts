import { IsUUID } from 'class-validator';
import { IsTimestamp } from './common';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';

/** The customer's data key was destroyed; every service purges what it holds about the customer. */
export class CustomerErasedV1 {
  @IsUUID() customerId: string;
  @IsTimestamp() erasedAt: string;
}

export const CustomerErased = defineEvent({
  type: 'crm.customer.erased.v1',
  topic: Topics.customers,
  description: 'Personal data of a customer was erased (crypto-shredded); purge local copies.',
  payload: CustomerErasedV1,
  fixture: { customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01', erasedAt: '2024-07-01T00:00:00.000Z' },
});
