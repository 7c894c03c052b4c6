import { HttpException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { invalidFields, type FieldProblem } from './http-errors';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    // A JSON key may be empty: it is named as written, "", so the field is never blank.
    const property = error.property === '' ? '""' : error.property;
    const field = parent ? `${parent}.${property}` : property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Whitelisted, non-whitelisted fields rejected, every error names its field. A validator that throws on input
 * it did not foresee (class-validator's decimal-places check on 5e-323, say) is a 400 about that input,
 * never a 500.
 */
class FieldValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (error instanceof HttpException) throw error;
      throw invalidFields([
        {
          field: metadata.type === 'body' ? 'body' : (metadata.data ?? metadata.type),
          messages: ['could not be validated; check the types and the ranges of its values'],
        },
      ]);
    }
  }
}

export function createValidationPipe(): ValidationPipe {
  return new FieldValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => invalidFields(flatten(errors)),
  });
}

/** `?limit=` of a list: 1 to 1000, 100 when absent. Query DTOs extend it. */
export class LimitQueryDto {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
