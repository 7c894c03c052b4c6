import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import jwt from 'jsonwebtoken';

export const ROLES = ['admin', 'agent', 'analyst', 'integration'] as const;
export type Role = (typeof ROLES)[number];

const IS_PUBLIC = 'crm:public';
const REQUIRED_ROLES = 'crm:roles';

/** Only health and metrics are public. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Any of these roles may call the route; admin may call everything. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export interface Principal {
  sub: string;
  roles: Role[];
}

export const TOKEN_ISSUER = 'crm-platform';

export function mintToken(secret: string, subject: string, roles: Role[], expiresInSeconds = 3600): string {
  return jwt.sign({ roles }, secret, {
    algorithm: 'HS256',
    subject,
    issuer: TOKEN_ISSUER,
    expiresIn: expiresInSeconds,
  });
}

export function verifyToken(secret: string, token: string): Principal {
  const claims = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: TOKEN_ISSUER }) as jwt.JwtPayload;
  const roles = Array.isArray(claims.roles)
    ? (claims.roles as unknown[]).filter(
        (r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r),
      )
    : [];
  return { sub: String(claims.sub ?? ''), roles };
}

/** The global guard: a valid bearer JWT on every route but @Public() ones, and one of the route's @Roles(). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly secret: string,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const header = request.headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    if (scheme !== 'Bearer' || !token)
      throw new UnauthorizedException('a bearer token is required (Authorization: Bearer <jwt>)');
    let principal: Principal;
    try {
      principal = verifyToken(this.secret, token);
    } catch (error) {
      throw new UnauthorizedException(`invalid token: ${(error as Error).message}`);
    }
    request.principal = principal;
    const required = this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets) ?? [];
    if (principal.roles.includes('admin') || required.length === 0) return true;
    if (!required.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenException(`this route needs one of the roles: ${required.join(', ')}`);
    }
    return true;
  }
}
