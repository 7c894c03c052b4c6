import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
} from 'class-validator';
import { RELAYED_TYPES, SEGMENT_FILTER_PATTERN } from './relayed-types';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const SEGMENT_FILTER_MESSAGE =
  'segmentFilter must be <set>:<value> with set tier, value-loyalty, membership, stage, custom or tag (e.g. value-loyalty:core)';

export class CreateSubscriptionDto {
  @ApiProperty({ example: 'loyalty-app' }) @IsString() @Length(1, 120) name: string;
  @ApiProperty({ example: 'https://loyalty.example.com/hooks/crm' })
  @IsUrl(URL_OPTIONS, { message: 'url must be an absolute http(s) URL' })
  @Length(1, 2000)
  url: string;
  @ApiProperty({ type: [String], example: ['crm.lifecycle-stage.changed.v1'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsIn(RELAYED_TYPES, { each: true, message: 'eventTypes must each be an event type of GET /docs/schemas' })
  eventTypes: string[];
  @ApiPropertyOptional({ example: 'value-loyalty:core', description: SEGMENT_FILTER_MESSAGE })
  @IsOptional()
  @Matches(SEGMENT_FILTER_PATTERN, { message: SEGMENT_FILTER_MESSAGE })
  segmentFilter?: string;
}

export class UpdateSubscriptionDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 120) name?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an absolute http(s) URL' })
  @Length(1, 2000)
  url?: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsIn(RELAYED_TYPES, { each: true, message: 'eventTypes must each be an event type of GET /docs/schemas' })
  eventTypes?: string[];
  @ApiPropertyOptional({ nullable: true, description: `${SEGMENT_FILTER_MESSAGE}; null removes the filter` })
  @IsOptional()
  @Matches(SEGMENT_FILTER_PATTERN, { message: SEGMENT_FILTER_MESSAGE })
  segmentFilter?: string | null;
}

export class ReplayDto {
  @ApiProperty({ description: 'Re-deliver the events that happened after this time' })
  @IsDateString({ strict: true }, { message: 'from must be an ISO-8601 date-time' })
  from: string;
  @ApiPropertyOptional({ description: 'and at or before this time (default: now)' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'to must be an ISO-8601 date-time' })
  to?: string;
}

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'cancelled'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'cancelled'])
  status?: 'pending' | 'delivered' | 'cancelled';
  @ApiPropertyOptional({ description: 'At most this many, newest first (default 100, at most 1000)' })
  @IsOptional()
  @Matches(/^(?:[1-9]\d{0,2}|1000)$/, { message: 'limit must be an integer from 1 to 1000' })
  limit?: string;
}

export class SubscriptionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() url: string;
  @ApiProperty({ type: [String] }) eventTypes: string[];
  @ApiPropertyOptional({ nullable: true }) segmentFilter: string | null;
  @ApiProperty({ enum: ['active', 'paused'] }) status: string;
  @ApiProperty() consecutiveFailures: number;
  @ApiPropertyOptional({ nullable: true }) lastError: string | null;
  @ApiProperty() pendingDeliveries: number;
  @ApiProperty() createdAt: Date;
}

export class SubscriptionWithSecretView extends SubscriptionView {
  @ApiProperty({ description: 'whsec_…: shown once; sign-verify deliveries with it (Standard Webhooks)' })
  secret: string;
}

export class RotatedSecretView {
  @ApiProperty({ description: 'The new whsec_… secret: shown once' }) secret: string;
  @ApiProperty({ description: 'Until then deliveries carry a signature with the previous secret too' })
  previousSecretExpiresAt: Date;
}

export class DeliveryAttemptView {
  @ApiProperty() attempt: number;
  @ApiPropertyOptional({ nullable: true }) statusCode: number | null;
  @ApiProperty() durationMs: number;
  @ApiPropertyOptional({ nullable: true }) error: string | null;
  @ApiProperty() attemptedAt: Date;
}

export class DeliveryView {
  @ApiProperty({ description: 'The webhook-id header of the delivery' }) id: string;
  @ApiProperty() eventId: string;
  @ApiProperty() eventType: string;
  @ApiProperty() subject: string;
  @ApiProperty({ enum: ['live', 'replay'] }) kind: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'cancelled'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional({ nullable: true }) nextAttemptAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) deliveredAt: Date | null;
  @ApiProperty({ type: [DeliveryAttemptView] }) log: DeliveryAttemptView[];
}

export class ReplayView {
  @ApiProperty() deliveries: number;
}
