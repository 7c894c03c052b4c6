import { ConflictException, NotFoundException } from '@nestjs/common';

/** A 404 that names what was not found. */
export function notFound(what: string, id: string): NotFoundException {
  return new NotFoundException({
    statusCode: 404,
    error: 'Not Found',
    code: 'NOT_FOUND',
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
