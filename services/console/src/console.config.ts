import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { envBoolean, envNumber } from '@crm/config';

/**
 * The console: no database of its own. It reads and acts through the services' APIs with the caller's own
 * token, and relays the services' events to browsers.
 */
export class ConsoleConfig {
  @IsString() @MinLength(1) KAFKA_BROKERS: string;
  @Transform(envNumber) @IsInt() @Min(1) @Max(65535) PORT: number;
  @Matches(/^[a-z-]+=https?:\/\/[^\s,=]+(,[a-z-]+=https?:\/\/[^\s,=]+)*$/, {
    message: 'SERVICE_URLS must be name=url pairs separated by commas',
  })
  SERVICE_URLS: string;
  @ValidateIf((c: ConsoleConfig) => !c.AUTH_OIDC_DISCOVERY_URL && !c.AUTH_JWKS_URL)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;
  @IsOptional() @IsString() AUTH_OIDC_DISCOVERY_URL?: string;
  @IsOptional() @IsString() AUTH_JWKS_URL?: string;
  @IsOptional() @IsString() AUTH_ISSUER?: string;
  @IsOptional() @IsString() AUTH_AUDIENCE?: string;
  @IsOptional() @Transform(envNumber) @IsInt() @Min(60) AUTH_MAX_TOKEN_LIFETIME_SECONDS?: number;
  /** The browser's OIDC client (public, PKCE); the sign-in page offers the identity provider when set. */
  @IsOptional() @IsString() @MinLength(1) CONSOLE_OIDC_CLIENT_ID?: string;
  @IsOptional() @IsString() CONSOLE_OIDC_SCOPE?: string;
  /** The local development sign-in (pick a role, get a token signed with JWT_SECRET): never in production. */
  @Transform(envBoolean)
  @IsBoolean()
  @ValidateIf((c: ConsoleConfig) => process.env.NODE_ENV === 'production' && c.CONSOLE_DEV_SIGN_IN !== false)
  @IsIn([false], { message: 'CONSOLE_DEV_SIGN_IN may not be enabled in production' })
  CONSOLE_DEV_SIGN_IN: boolean;
  /** How long a development sign-in lasts. */
  @Transform(envNumber) @IsInt() @Min(60) @Max(24 * 3600) CONSOLE_DEV_TOKEN_SECONDS: number;
  /** Where the built web app is (index.html and assets). */
  @IsString() CONSOLE_WEB_DIR: string;
  /** Upstream calls give up after this long; the part shows as unavailable. */
  @Transform(envNumber) @IsInt() @Min(100) @Max(60_000) CONSOLE_UPSTREAM_TIMEOUT_MS: number;
  /** Most browsers on the event stream at once per replica. */
  @Transform(envNumber) @IsInt() @Min(1) @Max(100_000) CONSOLE_MAX_STREAMS: number;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']) LOG_LEVEL?: string;
}

export const CONSOLE_PORT = 3110;
export const CONSOLE_PREFIX = 'console';

export const CONSOLE_DEFAULTS = {
  CONSOLE_DEV_SIGN_IN: process.env.NODE_ENV === 'production' ? 'false' : 'true',
  CONSOLE_DEV_TOKEN_SECONDS: '28800',
  CONSOLE_UPSTREAM_TIMEOUT_MS: '5000',
  CONSOLE_MAX_STREAMS: '500',
  CONSOLE_OIDC_SCOPE: 'openid profile',
};
