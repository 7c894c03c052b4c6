import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { OWNER, OWNER_MESSAGE } from '../needs/needs.dto';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class CreatePlanDto {
  @ApiProperty({ example: 'Service recovery 2024 H2' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ example: 'Raise CSAT of core customers from 4.1 to 4.5' })
  @IsString()
  @Length(1, 1000)
  goal: string;
  @ApiProperty({ example: 'head-of-service' })
  @IsString()
  @Matches(OWNER, { message: OWNER_MESSAGE })
  owner: string;
  @ApiProperty({ example: '2024-07-01' })
  @Matches(DATE, { message: 'startsOn must be a date, YYYY-MM-DD' })
  startsOn: string;
  @ApiProperty({ example: '2024-12-31' })
  @Matches(DATE, { message: 'endsOn must be a date, YYYY-MM-DD' })
  endsOn: string;
  @ApiPropertyOptional({
    description: 'The KPI goals the plan serves (ids of tagging goals)',
    example: ['csat-core'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(SLUG, {
    each: true,
    message: 'each of kpiGoalIds must be 1-64 lowercase letters, digits or dashes',
  })
  kpiGoalIds?: string[];
}

export class AddTaskDto {
  @ApiProperty({ example: 'Cut first-response time for complaints to 30 minutes' })
  @IsString()
  @Length(1, 200)
  title: string;
  @ApiProperty({ example: 'lead-service' })
  @IsString()
  @Matches(OWNER, { message: OWNER_MESSAGE })
  owner: string;
  @ApiProperty({ example: 'customer-service' })
  @IsString()
  @Matches(SLUG, { message: 'department must be 1-64 lowercase letters, digits or dashes' })
  department: string;
  @ApiProperty({ example: '2024-08-31T17:00:00Z' }) @IsISO8601({ strict: true }) dueAt: string;
}

export class TaskProgressDto {
  @ApiProperty({ example: 'New triage rota live in two of three teams' })
  @IsString()
  @Length(1, 2000)
  note: string;
  @ApiProperty({ minimum: 0, maximum: 100, example: 60 }) @IsInt() @Min(0) @Max(100) progress: number;
  @ApiPropertyOptional({ enum: ['open', 'in-progress', 'done', 'cancelled'] })
  @IsOptional()
  @IsIn(['open', 'in-progress', 'done', 'cancelled'])
  status?: 'open' | 'in-progress' | 'done' | 'cancelled';
}

export class SummaryQueryDto {
  @ApiPropertyOptional({
    description: 'Any day of the week to summarise (Monday to Sunday, UTC); this week by default',
  })
  @IsOptional()
  @Matches(DATE, { message: 'weekOf must be a date, YYYY-MM-DD' })
  weekOf?: string;
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
