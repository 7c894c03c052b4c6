import { Injectable, Logger } from '@nestjs/common';
import { ConsoleConfig } from './console.config';
import type { ConsoleSettings } from './view-model';

/** The identity provider's endpoints for the browser's sign-in, read from its discovery document once. */
@Injectable()
export class OidcSettings {
  private readonly logger = new Logger(OidcSettings.name);
  private cached?: Promise<ConsoleSettings['oidc']>;

  constructor(private readonly config: ConsoleConfig) {}

  settings(): Promise<ConsoleSettings['oidc']> {
    const { AUTH_OIDC_DISCOVERY_URL: discovery, CONSOLE_OIDC_CLIENT_ID: clientId } = this.config;
    if (!discovery || !clientId) return Promise.resolve(null);
    this.cached ??= fetch(discovery, { signal: AbortSignal.timeout(5000) })
      .then(async (response) => {
        if (!response.ok) throw new Error(`discovery answered ${response.status}`);
        const document = (await response.json()) as Record<string, unknown>;
        const authorizationEndpoint = document.authorization_endpoint;
        const tokenEndpoint = document.token_endpoint;
        if (typeof authorizationEndpoint !== 'string' || typeof tokenEndpoint !== 'string')
          throw new Error('discovery names no authorization_endpoint or token_endpoint');
        return {
          authorizationEndpoint,
          tokenEndpoint,
          clientId,
          scope: this.config.CONSOLE_OIDC_SCOPE ?? 'openid profile',
        };
      })
      .catch((error: unknown) => {
        this.logger.warn(`OIDC sign-in unavailable: ${(error as Error).message}`);
        this.cached = undefined;
        return null;
      });
    return this.cached;
  }
}
