import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import jwt from 'jsonwebtoken';
import {
  JwksVerifier,
  JwtAuthGuard,
  mintToken,
  SharedSecretVerifier,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  verifyToken,
} from './auth';

const SECRET = 's'.repeat(32);

function contextWith(
  authorization: string | undefined,
  metadata: Record<string, unknown> = { 'crm:roles': ['agent'] },
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
  const guard = new JwtAuthGuard(new Reflector(), new SharedSecretVerifier(SECRET));

  it('lets a public route through without a token', async () => {
    await expect(guard.canActivate(contextWith(undefined, { 'crm:public': true }))).resolves.toBe(true);
  });

  it('rejects a missing token with 401', async () => {
    await expect(guard.canActivate(contextWith(undefined))).rejects.toThrow(UnauthorizedException);
  });

  it('rejects a token signed with another secret', async () => {
    const token = mintToken('x'.repeat(32), 'u1', ['agent']);
    await expect(guard.canActivate(contextWith(`Bearer ${token}`))).rejects.toThrow(/invalid token/);
  });

  it('rejects a role the route does not allow with 403', async () => {
    const token = mintToken(SECRET, 'u1', ['analyst']);
    await expect(guard.canActivate(contextWith(`Bearer ${token}`))).rejects.toThrow(ForbiddenException);
  });

  it('admits an allowed role and admin everywhere roles are named', async () => {
    const agent = mintToken(SECRET, 'u1', ['agent']);
    const admin = mintToken(SECRET, 'u2', ['admin']);
    await expect(guard.canActivate(contextWith(`Bearer ${agent}`))).resolves.toBe(true);
    await expect(guard.canActivate(contextWith(`Bearer ${admin}`))).resolves.toBe(true);
  });

  it('denies a route that names no roles, even to admin', async () => {
    const admin = mintToken(SECRET, 'u2', ['admin']);
    await expect(guard.canActivate(contextWith(`Bearer ${admin}`, {}))).rejects.toThrow(/names no roles/);
  });

  it('drops unknown roles from the claims', () => {
    const token = mintToken(SECRET, 'u1', ['agent', 'root' as never]);
    expect(verifyToken(SECRET, token).roles).toEqual(['agent']);
  });
});

describe('development tokens (HS256)', () => {
  const sign = (claims: object, options: jwt.SignOptions) =>
    jwt.sign(claims, SECRET, { algorithm: 'HS256', ...options });
  const full = { subject: 'u1', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, expiresIn: 600 };

  it.each([
    ['no exp', { subject: 'u1', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE }, /"exp"/],
    ['no sub', { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, expiresIn: 600 }, /"sub"/],
    ['no aud', { subject: 'u1', issuer: TOKEN_ISSUER, expiresIn: 600 }, /audience|"aud"/],
    ['no iss', { subject: 'u1', audience: TOKEN_AUDIENCE, expiresIn: 600 }, /issuer|"iss"/],
    ['another audience', { ...full, audience: 'someone-else' }, /audience/],
    ['a lifetime of two days', { ...full, expiresIn: 2 * 86400 }, /lives longer/],
  ])('refuses a token with %s', (_case, options, reason) => {
    expect(() => verifyToken(SECRET, sign({ roles: ['agent'] }, options as jwt.SignOptions))).toThrow(reason);
  });

  it('accepts a complete token', () => {
    expect(verifyToken(SECRET, sign({ roles: ['agent'] }, full))).toEqual({ sub: 'u1', roles: ['agent'] });
  });
});

describe('identity-provider tokens (RS256 / ES256 via JWKS)', () => {
  let server: Server;
  let base: string;
  let rsa: { privateKey: KeyLike; publicKey: KeyLike };
  let ec: { privateKey: KeyLike; publicKey: KeyLike };
  let stranger: { privateKey: KeyLike; publicKey: KeyLike };
  const issuer = 'https://idp.test/realms/crm';

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    stranger = await generateKeyPair('RS256');
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/.well-known/openid-configuration')
        response.end(JSON.stringify({ issuer, jwks_uri: `${base}/keys` }));
      else if (request.url === '/keys') response.end(JSON.stringify({ keys }));
      else response.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const verifier = () =>
    new JwksVerifier(
      { discoveryUrl: `${base}/.well-known/openid-configuration` },
      { audience: 'crm-api', maxLifetimeSeconds: 3600 },
    );
  const token = (key: KeyLike, alg: string, kid: string, edit: (t: SignJWT) => SignJWT = (t) => t) =>
    edit(
      new SignJWT({ roles: ['analyst'] })
        .setProtectedHeader({ alg, kid })
        .setSubject('user-7')
        .setIssuer(issuer)
        .setAudience('crm-api')
        .setIssuedAt()
        .setExpirationTime('10m'),
    ).sign(key);

  it('accepts RS256 and ES256 tokens signed by the provider, found by OIDC discovery', async () => {
    const v = verifier();
    await expect(v.verify(await token(rsa.privateKey, 'RS256', 'rsa-1'))).resolves.toEqual({
      sub: 'user-7',
      roles: ['analyst'],
    });
    await expect(v.verify(await token(ec.privateKey, 'ES256', 'ec-1'))).resolves.toEqual({
      sub: 'user-7',
      roles: ['analyst'],
    });
  });

  it('refuses a key the provider does not publish, another audience or issuer, and an over-long lifetime', async () => {
    const v = verifier();
    await expect(v.verify(await token(stranger.privateKey, 'RS256', 'rsa-1'))).rejects.toThrow(/signature/);
    await expect(
      v.verify(await token(rsa.privateKey, 'RS256', 'rsa-1', (t) => t.setAudience('other'))),
    ).rejects.toThrow(/aud/);
    await expect(
      v.verify(await token(rsa.privateKey, 'RS256', 'rsa-1', (t) => t.setIssuer('https://evil'))),
    ).rejects.toThrow(/iss/);
    await expect(
      v.verify(await token(rsa.privateKey, 'RS256', 'rsa-1', (t) => t.setExpirationTime('5h'))),
    ).rejects.toThrow(/lives longer/);
  });

  it('refuses a development HS256 token', async () => {
    await expect(verifier().verify(mintToken(SECRET, 'u1', ['admin']))).rejects.toThrow();
  });
});
