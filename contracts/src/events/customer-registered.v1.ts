import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsNumber,
  Min,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  ValidateNested,
  IsArray,
  IsObject,
} from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import {
  CHANNELS,
  CONTACT_FREQUENCIES,
  IsOneOf,
  LOCALES,
  PURPOSES,
  TIME_ZONE_PATTERN,
  type Channel,
  type ContactFrequency,
  type Locale,
  type Purpose,
  IsTimestamp,
  TextLength,
} from './common';

export class ConsentV1 {
  @IsOneOf(CHANNELS) channel: Channel;
  @IsOneOf(PURPOSES) purpose: Purpose;
  @IsBoolean() granted: boolean;
  @IsTimestamp() changedAt: string;
}

/** A new customer. Carries no plaintext personal data: contacts travel only as keyed hashes. */
export class CustomerRegisteredV1 {
  @IsUUID() customerId: string;
  @IsString() @TextLength(1, 64) externalRef: string;
  @IsOneOf(['person', 'company']) kind: 'person' | 'company';
  @IsOptional() @IsString() @TextLength(0, 120) industry?: string;
  @IsOptional() @IsString() @TextLength(0, 40) companySize?: string;
  /** How the customer was acquired, and what it cost (channel ROI). */
  @IsOptional() @IsString() @TextLength(1, 64) acquisitionChannel?: string;
  @IsOptional() @IsNumber() @Min(0) acquisitionCost?: number;
  /** Month and day of birth (`MM-DD`) for birthday care; never the year. */
  @IsOptional() @Matches(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/) birthdayMonthDay?: string;
  @IsTimestamp() registeredAt: string;
  @IsTimestamp() relationshipStartedAt: string;
  /** The referral code the customer signed up with, if any. */
  @IsOptional() @IsString() @TextLength(4, 32) referredByCode?: string;
  /** HMAC of the normalised e-mail and phone, for duplicate and self-referral checks. */
  @IsOptional() @Matches(/^[0-9a-f]{64}$/) emailHash?: string;
  @IsOptional() @Matches(/^[0-9a-f]{64}$/) phoneHash?: string;
  /** The account owner (an account manager's id). */
  @IsOptional() @IsString() @TextLength(1, 64) owner?: string;
  /** The customer's IANA time zone: birthdays, quiet hours and local-time waits follow it. */
  @IsOptional() @Matches(TIME_ZONE_PATTERN) @TextLength(1, 64) timeZone?: string;
  /** The language touches are written in. */
  @IsOptional() @IsOneOf(LOCALES) locale?: Locale;
  /** `reduced`: the customer asked for fewer contacts; every frequency cap is halved. */
  @IsOptional() @IsOneOf(CONTACT_FREQUENCIES) contactFrequency?: ContactFrequency;
  @IsArray()
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ConsentV1)
  consents: ConsentV1[];
}

export const CustomerRegistered = defineEvent({
  type: 'crm.customer.registered.v1',
  topic: Topics.customers,
  description: 'A customer was registered (sign-up, import or account manager).',
  payload: CustomerRegisteredV1,
  fixture: {
    customerId: '6f1c2a52-8f0e-4c43-9b8e-1f6f0b7e2a01',
    externalRef: 'C2024001',
    kind: 'company',
    industry: 'manufacturing',
    companySize: '200-500',
    registeredAt: '2022-05-20T08:00:00.000Z',
    relationshipStartedAt: '2022-05-20T08:00:00.000Z',
    emailHash: 'a'.repeat(64),
    consents: [
      { channel: 'email', purpose: 'marketing', granted: true, changedAt: '2022-05-20T08:00:00.000Z' },
    ],
  },
});
