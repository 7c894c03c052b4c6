import { ArrayMinSize, IsArray, IsOptional, IsString, IsUUID } from 'class-validator';
import { TextLength } from './common';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';

/** Non-personal profile attributes changed; personal fields are only named in `changedFields`. */
export class CustomerUpdatedV1 {
  @IsUUID() customerId: string;
  @IsArray() @ArrayMinSize(1) @IsString({ each: true }) changedFields: string[];
  @IsOptional() @IsString() @TextLength(0, 120) industry?: string;
  @IsOptional() @IsString() @TextLength(0, 40) companySize?: string;
  /** The account owner (an account manager's id), when it is among `changedFields`. */
  @IsOptional() @IsString() @TextLength(1, 64) owner?: string;
}

export const CustomerUpdated = defineEvent({
  type: 'crm.customer.updated.v1',
  topic: Topics.customers,
  description: 'Profile attributes of a customer changed.',
  payload: CustomerUpdatedV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    changedFields: ['industry', 'email'],
    industry: 'manufacturing',
  },
});
