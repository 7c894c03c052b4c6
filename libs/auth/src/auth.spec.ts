import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtAuthGuard, mintToken, verifyToken } from './auth';

const SECRET = 's'.repeat(32);

function contextWith(
  authorization: string | undefined,
  metadata: Record<string, unknown> = {},
): ExecutionContext {
  const handler = () => undefined;
  for (const [key, value] of Object.entries(metadata)) Reflect.defineMetadata(key, value, handler);
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => ({ headers: { authorization } }) }),
  } as unknown as ExecutionContext;
}

describe('JwtAuthGuard', () => {
  const guard = new JwtAuthGuard(new Reflector(), SECRET);

  it('lets a public route through without a token', () => {
    expect(guard.canActivate(contextWith(undefined, { 'crm:public': true }))).toBe(true);
  });

  it('rejects a missing token with 401', () => {
    expect(() => guard.canActivate(contextWith(undefined))).toThrow(UnauthorizedException);
  });

  it('rejects a token signed with another secret', () => {
    const token = mintToken('x'.repeat(32), 'u1', ['agent']);
    expect(() => guard.canActivate(contextWith(`Bearer ${token}`))).toThrow(/invalid token/);
  });

  it('rejects a role the route does not allow with 403', () => {
    const token = mintToken(SECRET, 'u1', ['analyst']);
    expect(() => guard.canActivate(contextWith(`Bearer ${token}`, { 'crm:roles': ['agent'] }))).toThrow(
      ForbiddenException,
    );
  });

  it('admits an allowed role and admin everywhere', () => {
    const agent = mintToken(SECRET, 'u1', ['agent']);
    const admin = mintToken(SECRET, 'u2', ['admin']);
    expect(guard.canActivate(contextWith(`Bearer ${agent}`, { 'crm:roles': ['agent'] }))).toBe(true);
    expect(guard.canActivate(contextWith(`Bearer ${admin}`, { 'crm:roles': ['agent'] }))).toBe(true);
  });

  it('drops unknown roles from the claims', () => {
    const token = mintToken(SECRET, 'u1', ['agent', 'root' as never]);
    expect(verifyToken(SECRET, token).roles).toEqual(['agent']);
  });
});
