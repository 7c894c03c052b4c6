import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  CHANNELS,
  INTERACTION_STATUSES,
  type Channel,
  type InteractionStatus,
  IsOneOf,
} from '@crm/contracts';

export class LogInteractionDto {
  @ApiProperty({ example: '2024-05-10T10:00:00Z' }) @IsISO8601() occurredAt: string;
  @ApiProperty({ enum: CHANNELS }) @IsOneOf(CHANNELS) channel: Channel;
  @ApiProperty({ enum: ['inbound', 'outbound'] }) @IsIn(['inbound', 'outbound']) direction:
    'inbound' | 'outbound';
  @ApiProperty({ example: 'Q2 business review' }) @IsString() @Length(1, 200) topic: string;
  @ApiPropertyOptional({ example: ['am-042', 'Director of Purchasing'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  participants?: string[];
  @ApiPropertyOptional({ example: 'satisfied, wants more training' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  customerFeedback?: string;
  @ApiPropertyOptional({ example: 'product training in June' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  followUpAction?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() followUpDueAt?: string;
  @ApiPropertyOptional({ example: 'am-042' }) @IsOptional() @IsString() @Length(1, 64) owner?: string;
  @ApiProperty({ enum: INTERACTION_STATUSES })
  @IsOneOf(INTERACTION_STATUSES)
  status: InteractionStatus;
}

export class TimelineQueryDto {
  @ApiPropertyOptional({ default: 20 })
  @IsOptional()
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
