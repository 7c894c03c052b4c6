import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { TICKET_TYPES, type TicketType, IsOneOf } from '@crm/contracts';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
/** Follow-up tickets are opened by the platform after a low satisfaction score. */
const OPENABLE_TYPES = TICKET_TYPES.filter((t) => t !== 'follow-up');

export class OpenTicketDto {
  @ApiProperty() @IsUUID() customerId: string;
  @ApiProperty({ enum: OPENABLE_TYPES })
  @IsIn(OPENABLE_TYPES, { message: `type must be one of ${OPENABLE_TYPES.join(', ')}` })
  type: TicketType;
  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOptional()
  @IsOneOf(PRIORITIES)
  priority?: string;
  @ApiPropertyOptional({ description: 'The dedicated owner; required for complaints' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  owner?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) subject?: string;
  @ApiPropertyOptional({
    description: 'The product category concerned; a complaint excludes it from offers',
    example: 'valves',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9 ._-]{1,64}$/, {
    message: 'category must be 1-64 letters, digits, spaces, dots, dashes or underscores',
  })
  category?: string;
}

export class ChangePriorityDto {
  @ApiProperty({ enum: PRIORITIES }) @IsOneOf(PRIORITIES) priority: string;
}

export class SlaPolicyDto {
  @ApiProperty({ example: 'vip-complaint' })
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'id must be 1-64 lowercase letters, digits or dashes' })
  id: string;
  @ApiProperty({ description: 'Lower positions are tried first' })
  @IsInt()
  @Min(0)
  @Max(100000)
  position: number;
  @ApiPropertyOptional({ enum: TICKET_TYPES })
  @IsOptional()
  @IsOneOf(TICKET_TYPES)
  ticketType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() customerTier?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() customerSegment?: string;
  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsOneOf(PRIORITIES)
  priority?: string;
  @ApiProperty() @IsInt() @Min(1) firstResponseSeconds: number;
  @ApiPropertyOptional({
    description: 'Answer to each later customer message; defaults to firstResponseSeconds',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  nextResponseSeconds?: number;
  @ApiProperty() @IsInt() @Min(1) resolutionSeconds: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() requiresOwner?: boolean;
  @ApiPropertyOptional({ description: 'Business calendar the targets count in; none counts round the clock' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'calendarId must be the id of a business calendar' })
  calendarId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) description?: string;
}

export class AssignTicketDto {
  @ApiProperty({ example: 'agent-17', description: 'The new owner' })
  @IsString()
  @Length(1, 64)
  owner: string;
  @ApiPropertyOptional({ example: 'back from leave', description: 'Why, for the audit trail' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

export class QueueQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) owner?: string;
  @ApiPropertyOptional({ description: "A team's queue: tickets owned by its members and its lead" })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'team must be a team id' })
  team?: string;
  @ApiPropertyOptional({ enum: TICKET_TYPES }) @IsOptional() @IsOneOf(TICKET_TYPES) type?: TicketType;
  @ApiPropertyOptional({ description: "The customer's value tier" })
  @IsOptional()
  @Matches(/^[a-z-]{1,32}$/, { message: 'tier must be a value tier such as high-value' })
  tier?: string;
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsOneOf(PRIORITIES) priority?: string;
  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
