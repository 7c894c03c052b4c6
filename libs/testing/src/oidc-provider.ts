import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface TestOidcProvider {
  /** The discovery document's URL (AUTH_OIDC_DISCOVERY_URL). */
  discoveryUrl: string;
  issuer: string;
  /** Every token request it answered or refused, for the test to inspect. */
  tokenRequests: { ok: boolean; reason?: string }[];
  stop(): Promise<void>;
}

/**
 * A small OpenID Connect provider for browser tests: discovery, an authorization endpoint that signs the
 * configured person in at once and redirects back with a code, a token endpoint that checks the PKCE verifier
 * (S256) against the challenge, and the JWKS of the RS256 key it signs access tokens with.
 */
export async function startOidcProvider(person: {
  subject: string;
  roles: string[];
  clientId: string;
  audience?: string;
}): Promise<TestOidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const tokenRequests: TestOidcProvider['tokenRequests'] = [];
  let base = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', base);
    response.setHeader('access-control-allow-origin', '*');
    if (url.pathname === '/.well-known/openid-configuration') {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          issuer: base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          jwks_uri: `${base}/keys`,
          code_challenge_methods_supported: ['S256'],
        }),
      );
    } else if (url.pathname === '/keys') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    } else if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (
        q.get('response_type') !== 'code' ||
        q.get('client_id') !== person.clientId ||
        q.get('code_challenge_method') !== 'S256' ||
        !q.get('code_challenge') ||
        !q.get('redirect_uri')
      ) {
        response.writeHead(400).end('bad authorization request');
        return;
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')! });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      response.writeHead(302, { location: back.toString() }).end();
    } else if (url.pathname === '/token' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        const refuse = (reason: string) => {
          tokenRequests.push({ ok: false, reason });
          response
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: reason }));
        };
        if (!grant) return refuse('invalid_grant: unknown code');
        codes.delete(form.get('code')!);
        if (challenge !== grant.challenge) return refuse('invalid_grant: PKCE verifier does not match');
        if (form.get('redirect_uri') !== grant.redirectUri)
          return refuse('invalid_grant: redirect_uri differs');
        void new SignJWT({ roles: person.roles })
          .setProtectedHeader({ alg: 'RS256', kid: 'test-1' })
          .setSubject(person.subject)
          .setIssuer(base)
          .setAudience(person.audience ?? 'crm-api')
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(privateKey)
          .then((token) => {
            tokenRequests.push({ ok: true });
            response
              .writeHead(200, { 'content-type': 'application/json' })
              .end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 }));
          });
      });
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    discoveryUrl: `${base}/.well-known/openid-configuration`,
    issuer: base,
    tokenRequests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
