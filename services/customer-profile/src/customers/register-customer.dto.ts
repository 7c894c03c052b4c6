import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  Max,
  Min,
  IsNumber,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  CHANNELS,
  CONTACT_FREQUENCIES,
  LOCALES,
  PURPOSES,
  type Channel,
  type ContactFrequency,
  type Locale,
  type Purpose,
  IsOneOf,
} from '@crm/contracts';
import { IsTimeZone } from '@crm/service-kit';

export class ContactDto {
  @ApiProperty({ example: 'Wang Lei' }) @IsString() @Length(1, 200) name: string;
  @ApiPropertyOptional({ example: 'Director of Purchasing' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  decisionRole?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\+?[\d\s()-]{5,32}$/, { message: 'phone must be a phone number' })
  phone?: string;
}

export class ConsentDto {
  @ApiProperty({ enum: CHANNELS }) @IsOneOf(CHANNELS) channel: Channel;
  @ApiProperty({ enum: PURPOSES }) @IsOneOf(PURPOSES) purpose: Purpose;
  @ApiProperty() @IsBoolean() granted: boolean;
}

const OWNER_ID = /^[A-Za-z0-9._@-]{1,64}$/;
const OWNER_MESSAGE = 'owner must be 1-64 letters, digits, dots, dashes, underscores or @';

/** How the customer wants to be contacted: at registration and in an update. */
export class ContactPreferencesDto {
  @ApiPropertyOptional({ example: 'Asia/Shanghai', description: 'IANA time zone: quiet hours, birthdays' })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;
  @ApiPropertyOptional({ enum: LOCALES, description: 'The language touches are written in (default en)' })
  @IsOptional()
  @IsOneOf(LOCALES)
  locale?: Locale;
  @ApiPropertyOptional({
    enum: CONTACT_FREQUENCIES,
    description: '`reduced`: the customer asked for fewer contacts (every frequency cap is halved)',
  })
  @IsOptional()
  @IsOneOf(CONTACT_FREQUENCIES)
  contactFrequency?: ContactFrequency;
}

export class RegisterCustomerDto extends ContactPreferencesDto {
  @ApiProperty({ example: 'C2024001' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'externalRef must be 1-64 letters, digits, dots, dashes or underscores',
  })
  externalRef: string;
  @ApiProperty({ enum: ['person', 'company'] }) @IsIn(['person', 'company']) kind: 'person' | 'company';
  @ApiPropertyOptional({ example: 'am-042', description: "The account owner: an account manager's id" })
  @IsOptional()
  @Matches(OWNER_ID, { message: OWNER_MESSAGE })
  owner?: string;
  @ApiProperty({ example: 'A Co.' }) @IsString() @Length(1, 200) name: string;
  @ApiPropertyOptional({ example: 'manufacturing' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  industry?: string;
  @ApiPropertyOptional({ example: '200-500' }) @IsOptional() @IsString() @MaxLength(40) companySize?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\+?[\d\s()-]{5,32}$/, { message: 'phone must be a phone number' })
  phone?: string;
  @ApiPropertyOptional({ example: '1980-05-20' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthday must be YYYY-MM-DD' })
  birthday?: string;
  @ApiPropertyOptional({ type: [ContactDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts?: ContactDto[];
  @ApiPropertyOptional({ example: ['cost reduction'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  needTags?: string[];
  @ApiPropertyOptional({ description: 'Defaults to now' }) @IsOptional() @IsISO8601() registeredAt?: string;
  @ApiPropertyOptional({ description: 'When the business relationship began; defaults to registeredAt' })
  @IsOptional()
  @IsISO8601()
  relationshipStartedAt?: string;
  @ApiPropertyOptional({
    example: 'trade-fair',
    description: 'How the customer was acquired (channel ROI): 1-64 lowercase letters, digits or dashes',
  })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, {
    message: 'acquisitionChannel must be 1-64 lowercase letters, digits or dashes',
  })
  acquisitionChannel?: string;
  @ApiPropertyOptional({
    example: 350,
    description: 'What acquiring the customer cost, in the reporting currency',
  })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e12)
  acquisitionCost?: number;
  @ApiPropertyOptional({ description: 'Referral code given at sign-up' })
  @IsOptional()
  @IsString()
  @Length(4, 32)
  referralCode?: string;
  @ApiPropertyOptional({ type: [ConsentDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ConsentDto)
  consents?: ConsentDto[];
}

export class SetOwnerDto {
  @ApiProperty({ example: 'am-042', description: "The account owner: an account manager's id" })
  @Matches(OWNER_ID, { message: OWNER_MESSAGE })
  owner: string;
}

export class UpdateCustomerDto extends ContactPreferencesDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(120) industry?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) companySize?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\+?[\d\s()-]{5,32}$/, { message: 'phone must be a phone number' })
  phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsArray() @IsString({ each: true }) needTags?: string[];
}

export class SetConsentsDto {
  @ApiProperty({ type: [ConsentDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'consents must name at least one channel and purpose' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ConsentDto)
  consents: ConsentDto[];
}
