import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import jwt from 'jsonwebtoken';

export const ROLES = ['admin', 'agent', 'analyst', 'integration'] as const;
export type Role = (typeof ROLES)[number];

const IS_PUBLIC = 'crm:public';
const REQUIRED_ROLES = 'crm:roles';

/** Only health and metrics are public. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Any of these roles may call the route; admin may call everything. A route with neither is denied. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export interface Principal {
  sub: string;
  roles: Role[];
}

/** Issuer and audience of the tokens the platform mints for local development. */
export const TOKEN_ISSUER = 'crm-platform';
export const TOKEN_AUDIENCE = 'crm-api';
/** Tokens living longer than this are refused, whoever signed them. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** Checks a bearer token and answers who is calling; rejects with the reason. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface TokenRules {
  issuer: string;
  audience: string;
  maxLifetimeSeconds: number;
}

const LOCAL_RULES: TokenRules = {
  issuer: TOKEN_ISSUER,
  audience: TOKEN_AUDIENCE,
  maxLifetimeSeconds: DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
};

/** A development token (HS256 with the shared secret): never accepted in production. */
export function mintToken(secret: string, subject: string, roles: Role[], expiresInSeconds = 3600): string {
  return jwt.sign({ roles }, secret, {
    algorithm: 'HS256',
    subject,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    expiresIn: expiresInSeconds,
  });
}

/** The claims every token must carry, and the lifetime cap; answers the principal. */
export function principalOf(claims: JWTPayload, rules: TokenRules, now = Date.now() / 1000): Principal {
  for (const claim of ['exp', 'sub', 'iss', 'aud'] as const)
    if (claims[claim] === undefined || claims[claim] === '')
      throw new Error(`the token has no "${claim}" claim`);
  const exp = Number(claims.exp);
  const issuedAt = typeof claims.iat === 'number' ? claims.iat : now;
  if (exp - Math.min(issuedAt, now) > rules.maxLifetimeSeconds)
    throw new Error(`the token lives longer than ${rules.maxLifetimeSeconds} s`);
  const roles = Array.isArray(claims.roles)
    ? (claims.roles as unknown[]).filter(
        (r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r),
      )
    : [];
  return { sub: String(claims.sub), roles };
}

/** Local development: HS256 tokens signed with the shared secret. */
export class SharedSecretVerifier implements TokenVerifier {
  constructor(
    private readonly secret: string,
    private readonly rules: TokenRules = LOCAL_RULES,
  ) {}

  async verify(token: string): Promise<Principal> {
    return verifyToken(this.secret, token, this.rules);
  }
}

export function verifyToken(secret: string, token: string, rules: TokenRules = LOCAL_RULES): Principal {
  const claims = jwt.verify(token, secret, {
    algorithms: ['HS256'],
    issuer: rules.issuer,
    audience: rules.audience,
  }) as JWTPayload;
  return principalOf(claims, rules);
}

/**
 * Production: RS256 or ES256 tokens from an identity provider, checked against its JWKS (found by OIDC
 * discovery, or given directly); keys are fetched and cached by `jose`, and refetched when a new key id
 * appears.
 */
export class JwksVerifier implements TokenVerifier {
  private keys?: Promise<{ keys: JWTVerifyGetKey; rules: TokenRules }>;

  constructor(
    private readonly source: { discoveryUrl?: string; jwksUrl?: string },
    private readonly rules: Partial<TokenRules> & Pick<TokenRules, 'audience' | 'maxLifetimeSeconds'>,
  ) {}

  async verify(token: string): Promise<Principal> {
    const { keys, rules } = await this.resolve();
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ['RS256', 'ES256'],
      issuer: rules.issuer,
      audience: rules.audience,
      requiredClaims: ['exp', 'sub', 'iss', 'aud'],
    });
    return principalOf(payload, rules);
  }

  private resolve(): Promise<{ keys: JWTVerifyGetKey; rules: TokenRules }> {
    this.keys ??= (async () => {
      let jwksUrl = this.source.jwksUrl;
      let issuer = this.rules.issuer;
      if (this.source.discoveryUrl) {
        const response = await fetch(this.source.discoveryUrl);
        if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
        const document = (await response.json()) as { jwks_uri?: string; issuer?: string };
        jwksUrl ??= document.jwks_uri;
        issuer ??= document.issuer;
      }
      if (!jwksUrl) throw new Error('no JWKS: set AUTH_JWKS_URL or an AUTH_OIDC_DISCOVERY_URL with jwks_uri');
      if (!issuer) throw new Error('no issuer: set AUTH_ISSUER or an AUTH_OIDC_DISCOVERY_URL with issuer');
      return {
        keys: createRemoteJWKSet(new URL(jwksUrl)),
        rules: { issuer, audience: this.rules.audience, maxLifetimeSeconds: this.rules.maxLifetimeSeconds },
      };
    })().catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }
}

/** The global guard: a valid bearer JWT on every route but @Public() ones, and one of the route's @Roles(). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
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
      principal = await this.verifier.verify(token);
    } catch (error) {
      throw new UnauthorizedException(`invalid token: ${(error as Error).message}`);
    }
    request.principal = principal;
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    // Deny by default: a route that names no roles is a route nobody decided who may call.
    if (!required || required.length === 0)
      throw new ForbiddenException('this route names no roles, so nobody may call it');
    if (principal.roles.includes('admin')) return true;
    if (!required.some((role) => principal.roles.includes(role)))
      throw new ForbiddenException(`this route needs one of the roles: ${required.join(', ')}`);
    return true;
  }
}
