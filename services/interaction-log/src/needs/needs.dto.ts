import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import {
  IsOneOf,
  NEED_PRIORITIES,
  NEED_STATUSES,
  NEED_TYPES,
  type NeedPriority,
  type NeedStatus,
  type NeedType,
} from '@crm/contracts';

export const OWNER = /^[A-Za-z0-9._@-]{1,64}$/;
export const OWNER_MESSAGE = 'owner must be 1-64 letters, digits, dots, dashes, underscores or @';

export class RecordNeedDto {
  @ApiProperty({ enum: NEED_TYPES }) @IsOneOf(NEED_TYPES) type: NeedType;
  @ApiProperty({
    example: 'Wants on-site training for the new pump line before the autumn season',
    description: "The need in the customer's words, 1-2000 characters (stored encrypted)",
  })
  @IsString()
  @Length(1, 2000)
  description: string;
  @ApiProperty({ enum: NEED_PRIORITIES }) @IsOneOf(NEED_PRIORITIES) priority: NeedPriority;
  @ApiProperty({ example: 'am-042' }) @IsString() @Matches(OWNER, { message: OWNER_MESSAGE }) owner: string;
  @ApiProperty({ example: '2024-06-14T17:00:00Z' }) @IsISO8601({ strict: true }) dueAt: string;
}

export class UpdateNeedDto {
  @ApiPropertyOptional({ enum: NEED_STATUSES }) @IsOptional() @IsOneOf(NEED_STATUSES) status?: NeedStatus;
  @ApiPropertyOptional({ enum: NEED_PRIORITIES })
  @IsOptional()
  @IsOneOf(NEED_PRIORITIES)
  priority?: NeedPriority;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(OWNER, { message: OWNER_MESSAGE }) owner?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) dueAt?: string;
  @ApiPropertyOptional({ description: 'How the need was met, 1-2000 characters (stored encrypted)' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  solution?: string;
  @ApiPropertyOptional({ description: 'The customer confirmed the solution (only for a solved need)' })
  @IsOptional()
  @Equals(true, { message: 'customerConfirmed can only be true (a confirmation is not taken back)' })
  customerConfirmed?: true;
}
