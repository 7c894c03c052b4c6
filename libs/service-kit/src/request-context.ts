import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@crm/auth';

interface HttpRequest {
  headers: Record<string, string | undefined>;
  principal?: Principal;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-correlation-id` when it is sane, else a new one; it travels on every event caused. */
export const CorrelationId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const header = context.switchToHttp().getRequest<HttpRequest>().headers['x-correlation-id'];
  return header && CORRELATION_ID.test(header) ? header : randomUUID();
});

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<HttpRequest>().principal ?? { sub: '', roles: [] },
);
