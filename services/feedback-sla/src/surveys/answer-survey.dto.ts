import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

export class AnswerSurveyDto {
  @ApiProperty({ description: 'CSAT 1-5 or NPS 0-10', example: 9 }) @IsInt() @Min(0) @Max(10) score: number;
}
