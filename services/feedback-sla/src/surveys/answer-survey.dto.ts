import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class AnswerSurveyDto {
  @ApiProperty({ description: 'CSAT 1-5 or NPS 0-10', example: 9 }) @IsInt() @Min(0) @Max(10) score: number;
  @ApiPropertyOptional({
    description: "Item scores on the survey's scale, by item id (GET …/public/surveys/:token lists them)",
    example: { speed: 2, solution: 5 },
    type: 'object',
    additionalProperties: { type: 'integer' },
  })
  @IsOptional()
  @IsObject()
  items?: Record<string, number>;
  @ApiPropertyOptional({
    description: "The customer's own words, 1-2000 characters (stored encrypted; erased with the customer)",
    example: 'The courier was late twice',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  comment?: string;
}
