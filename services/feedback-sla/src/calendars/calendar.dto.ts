import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class BusinessCalendarDto {
  @ApiProperty({ example: 'Europe/Berlin' }) @IsString() @MaxLength(64) timeZone: string;
  @ApiProperty({
    description: 'ISO weekday (1 = Monday … 7 = Sunday) → opening intervals',
    example: { 1: [['09:00', '18:00']], 2: [['09:00', '18:00']] },
  })
  @IsObject()
  openingHours: Record<string, [string, string][]>;
  @ApiPropertyOptional({ example: ['2024-12-25'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { each: true, message: 'each holiday must be YYYY-MM-DD' })
  holidays?: string[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) description?: string;
}
