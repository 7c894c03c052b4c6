import type { ConsoleSettings, SignedIn } from '../../src/view-model';

type Oidc = NonNullable<ConsoleSettings['oidc']>;
const VERIFIER = 'crm-console-pkce';
const STATE = 'crm-console-state';

const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const redirectUri = () => `${window.location.origin}/console/`;

/** Authorization code flow with PKCE (S256): the browser is a public client and holds no secret. */
export async function beginOidcSignIn(oidc: Oidc): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(VERIFIER, verifier);
  sessionStorage.setItem(STATE, state);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const url = new URL(oidc.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: oidc.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(url.toString());
}

/** Back from the identity provider with `?code=&state=`: the code exchanged for the access token. */
export async function finishOidcSignIn(oidc: Oidc): Promise<SignedIn | null> {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  if (!code || params.get('state') !== sessionStorage.getItem(STATE)) return null;
  const response = await fetch(oidc.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: oidc.clientId,
      code_verifier: sessionStorage.getItem(VERIFIER) ?? '',
    }),
  });
  sessionStorage.removeItem(VERIFIER);
  sessionStorage.removeItem(STATE);
  window.history.replaceState(null, '', '/console/');
  if (!response.ok) throw new Error(`the identity provider answered ${response.status}`);
  const tokens = (await response.json()) as { access_token: string; expires_in?: number };
  const claims = JSON.parse(
    atob(tokens.access_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')),
  ) as {
    sub?: string;
    roles?: string[];
    exp?: number;
  };
  return {
    token: tokens.access_token,
    subject: claims.sub ?? 'unknown',
    roles: claims.roles ?? [],
    expiresAt: new Date((claims.exp ?? Date.now() / 1000 + (tokens.expires_in ?? 3600)) * 1000).toISOString(),
  };
}
