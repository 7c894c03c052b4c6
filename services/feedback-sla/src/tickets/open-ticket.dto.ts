import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
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
import { TICKET_TYPES, type TicketType } from '@crm/contracts';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export class OpenTicketDto {
  @ApiProperty() @IsUUID() customerId: string;
  @ApiProperty({ enum: TICKET_TYPES }) @IsIn(TICKET_TYPES as unknown as string[]) type: TicketType;
  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOptional()
  @IsIn(PRIORITIES as unknown as string[])
  priority?: string;
  @ApiPropertyOptional({ description: 'The dedicated owner; required for complaints' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  owner?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) subject?: string;
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
  @IsIn(TICKET_TYPES as unknown as string[])
  ticketType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() customerTier?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() customerSegment?: string;
  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES as unknown as string[])
  priority?: string;
  @ApiProperty() @IsInt() @Min(1) firstResponseSeconds: number;
  @ApiProperty() @IsInt() @Min(1) resolutionSeconds: number;
  @ApiPropertyOptional() @IsOptional() requiresOwner?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) description?: string;
}
