import {
  ArgumentsHost,
  Catch,
  HttpException,
  type ArgumentMetadata,
  type ExceptionFilter,
  type PipeTransform,
} from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CommonErrorCode, invalid } from './http-errors';

interface ErrorBody {
  statusCode?: number;
  code?: string;
  message?: string | string[];
  fields?: unknown[];
  [key: string]: unknown;
}

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): void;
}

const CODES: Record<number, string> = {
  400: CommonErrorCode.ValidationFailed,
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: CommonErrorCode.NotFound,
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * One shape for every HTTP error: a `code`, a `message`, and for a 400 the `fields` it is about. Errors
 * thrown with the builders already have them; Nest's own (a malformed JSON body, an unknown route, a role
 * missing) get them here, a 400 naming `body` when nothing more precise is known.
 */
@Catch(HttpException)
export class HttpProblemFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const status = exception.getStatus();
    const raw = exception.getResponse();
    const body: ErrorBody = typeof raw === 'string' ? { message: raw } : { ...(raw as ErrorBody) };
    body.statusCode = status;
    body.code ??= CODES[status] ?? `HTTP_${status}`;
    if (status === 400 && !Array.isArray(body.fields)) {
      const messages = Array.isArray(body.message)
        ? body.message
        : [String(body.message ?? exception.message)];
      body.fields = [{ field: 'body', messages }];
    }
    host.switchToHttp().getResponse<JsonResponse>().status(status).json(body);
  }
}

/** A UUID route parameter; a 400 names the parameter (Nest's own pipe does not). */
export class ParseUuid implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!isUUID(value)) throw invalid(metadata.data ?? 'id', 'must be a UUID');
    return value;
  }
}

/** One of the given values in a route parameter; a 400 names the parameter. */
export class ParseOneOf<T extends string> implements PipeTransform<string, T> {
  constructor(private readonly values: readonly T[]) {}

  transform(value: string, metadata: ArgumentMetadata): T {
    if (!(this.values as readonly string[]).includes(value))
      throw invalid(metadata.data ?? 'value', `must be one of: ${this.values.join(', ')}`);
    return value as T;
  }
}

/** A route parameter that must match a pattern (a staff id, a rule-set version); a 400 names it and says what. */
export class ParsePattern implements PipeTransform<string, string> {
  constructor(
    private readonly pattern: RegExp,
    /** What a valid value is, e.g. `1-64 letters, digits, dots, dashes or underscores`. */
    private readonly what: string,
    /** An optional query parameter: absent passes as undefined; present, it must match. */
    private readonly options: { optional?: boolean } = {},
  ) {}

  transform(value: string, metadata: ArgumentMetadata): string {
    if (value === undefined && this.options.optional) return value;
    if (typeof value !== 'string' || !this.pattern.test(value))
      throw invalid(metadata.data ?? 'id', `must be ${this.what}`);
    return value;
  }
}

/** A version number in a route: a positive integer; a 400 names the parameter. */
export class ParseVersion implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const n = /^[1-9]\d{0,8}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n)) throw invalid(metadata.data ?? 'version', 'must be a version number (1, 2, …)');
    return n;
  }
}

/** A text identifier in a route (a segment, a policy, a calendar): lowercase letters, digits and dashes. */
export class ParseSlug implements PipeTransform<string, string> {
  private static readonly SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value !== 'string' || !ParseSlug.SLUG.test(value))
      throw invalid(metadata.data ?? 'id', 'must be 1-64 lowercase letters, digits or dashes');
    return value;
  }
}

/** The first string inside `value` that holds a NUL character, as a field path; Postgres cannot store one. */
function nulPath(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (depth > 20 || value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const found = nulPath(item, path ? `${path}.${key}` : key, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Global: a NUL character anywhere in a body, query or parameter is a 400 naming where it is. */
export class RejectNulCharacters implements PipeTransform<unknown, unknown> {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const path = nulPath(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
    if (path !== undefined) throw invalid(path || metadata.type, 'must not contain NUL characters');
    return value;
  }
}
