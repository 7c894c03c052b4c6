import { ArrayMinSize, IsArray, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import {
  CONTACT_FREQUENCIES,
  IsOneOf,
  LOCALES,
  TIME_ZONE_PATTERN,
  TextLength,
  type ContactFrequency,
  type Locale,
} from './common';
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
  /** When among `changedFields`: the customer's IANA time zone: birthdays, quiet hours and local-time waits follow it. */
  @IsOptional() @Matches(TIME_ZONE_PATTERN) @TextLength(1, 64) timeZone?: string;
  /** The language touches are written in. */
  @IsOptional() @IsOneOf(LOCALES) locale?: Locale;
  /** `reduced`: the customer asked for fewer contacts; every frequency cap is halved. */
  @IsOptional() @IsOneOf(CONTACT_FREQUENCIES) contactFrequency?: ContactFrequency;
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
