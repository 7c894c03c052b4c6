import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';

/** The codes every service shares; each module adds its own enum (e.g. `TicketErrorCode`). */
export enum CommonErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  NotFound = 'NOT_FOUND',
}

export interface FieldProblem {
  field: string;
  messages: string[];
}

/** A 400 naming each bad field: `{ code, message: ['field: …'], fields: [{ field, messages }] }`. */
export function invalidFields(
  fields: FieldProblem[],
  code: string = CommonErrorCode.ValidationFailed,
  extra: Record<string, unknown> = {},
): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    code,
    message: fields.map((f) => `${f.field}: ${f.messages.join(', ')}`),
    fields,
    ...extra,
  });
}

/** A 400 naming one bad field. */
export function invalid(field: string, message: string, code?: string): BadRequestException {
  return invalidFields([{ field, messages: [message] }], code);
}

/** A route parameter that must be one of a list: the value, or 400 naming the field and the choices. */
export function oneOf<T extends string>(field: string, values: readonly T[], value: string): T {
  if (!(values as readonly string[]).includes(value))
    throw invalid(field, `must be one of ${values.join(', ')}`);
  return value as T;
}

/** A 404 that names what was not found. */
export function notFound(what: string, id: string): NotFoundException {
  return new NotFoundException({
    statusCode: 404,
    error: 'Not Found',
    code: CommonErrorCode.NotFound,
    message: `${what} ${id} was not found`,
  });
}

/** A 409 that names the conflicting field. */
export function conflict(code: string, field: string, message: string): ConflictException {
  return new ConflictException({ statusCode: 409, error: 'Conflict', code, field, message });
}

/** Postgres unique violation on the named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError =
    (error as { driverError?: { code?: string; constraint?: string }; code?: string; constraint?: string }) ??
    {};
  const code = driverError.driverError?.code ?? driverError.code;
  const name = driverError.driverError?.constraint ?? driverError.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

/** A calendar date (YYYY-MM-DD) that exists (not 2027-02-30), as UTC midnight, or a 400 naming the field. */
export function calendarDate(field: string, value: string): Date {
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
    throw invalid(field, 'must be a date that exists, YYYY-MM-DD');
  return date;
}
