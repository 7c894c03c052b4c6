import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  ValidateIf,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

/** A setting read as a number (`@Transform(envNumber)`): unset or empty is undefined, so its default applies. */
export const envNumber = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
/** A setting read as a flag (`@Transform(envBoolean)`): true, "true" and "1" are on; unset or empty is undefined. */
export const envBoolean = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : value === true || value === 'true' || value === '1';

/** Settings every service has. A service extends it with its own; `loadConfig` validates at start and fails fast. */
export class ServiceConfig {
  @IsString() @MinLength(1) DATABASE_URL: string;
  @IsString() @MinLength(1) KAFKA_BROKERS: string;
  @Transform(envNumber) @IsInt() @Min(1) @Max(65535) PORT: number;
  @IsOptional() @IsString() DATABASE_SCHEMA?: string;
  /** HS256 secret for development tokens; only where no identity provider is configured, never in production. */
  @ValidateIf((c: ServiceConfig) => !c.AUTH_OIDC_DISCOVERY_URL && !c.AUTH_JWKS_URL)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;
  /**
   * Production verifies RS256/ES256 tokens of an identity provider: its OIDC discovery document (or its JWKS
   * directly, with AUTH_ISSUER). Required when NODE_ENV=production.
   */
  @ValidateIf((c: ServiceConfig) => process.env.NODE_ENV === 'production' && !c.AUTH_JWKS_URL)
  @IsUrl(
    { require_tld: false, require_protocol: true },
    {
      message:
        'AUTH_OIDC_DISCOVERY_URL (or AUTH_JWKS_URL) must be the URL of the identity provider: production accepts only its RS256/ES256 tokens',
    },
  )
  AUTH_OIDC_DISCOVERY_URL?: string;
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) AUTH_JWKS_URL?: string;
  /** The `iss` tokens must carry (from discovery when not set; `crm-platform` for development tokens). */
  @IsOptional() @IsString() AUTH_ISSUER?: string;
  /** The `aud` tokens must carry. */
  @IsOptional() @IsString() AUTH_AUDIENCE?: string;
  /** Tokens that live longer are refused. */
  @IsOptional()
  @Transform(envNumber)
  @IsInt()
  @Min(60)
  @Max(30 * 86400)
  AUTH_MAX_TOKEN_LIFETIME_SECONDS?: number;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']) LOG_LEVEL?: string;
  /**
   * How old a fact may be and still trigger something customer-facing (a touch, a survey, a journey entry):
   * older ones, like those marked historical (an import), only update state. Default 72 hours.
   */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(1) @Max(24 * 365) TRIGGER_RECENCY_HOURS?: number;
  /**
   * The Kafka consumer group (default: the service's name). A new group reads every topic from the beginning:
   * a fresh deployment on an empty schema rebuilds its state by replay. Dead letters still go to the
   * service's own dead-letter topic.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,200}$/, {
    message: 'KAFKA_CONSUMER_GROUP must be letters, digits, ".", "_" or "-"',
  })
  KAFKA_CONSUMER_GROUP?: string;
  /**
   * Connections each replica may hold in its pool (default 10). A service at its autoscaler's maximum holds
   * maxReplicas × this (+1 for the relay's LISTEN); keep the platform's sum under Postgres max_connections.
   */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(1) @Max(100) DATABASE_POOL_SIZE?: number;
  /**
   * Seconds an unused pooled connection stays open (default 300; 0 keeps it until the service stops). Short
   * values make the pool close and reopen connections between peaks of load, each a new Postgres backend.
   */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(0) @Max(86_400) DATABASE_POOL_IDLE_SECONDS?: number;
  /** SASL towards the brokers (each service its own user); with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. */
  @IsOptional() @IsIn(['scram-sha-512', 'scram-sha-256', 'plain']) KAFKA_SASL_MECHANISM?: string;
  @ValidateIf((c: ServiceConfig) => c.KAFKA_SASL_MECHANISM !== undefined)
  @IsString({ message: 'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM' })
  @MinLength(1)
  KAFKA_SASL_USERNAME?: string;
  @ValidateIf((c: ServiceConfig) => c.KAFKA_SASL_MECHANISM !== undefined)
  @IsString({ message: 'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM' })
  @MinLength(1)
  KAFKA_SASL_PASSWORD?: string;
  /** TLS towards the brokers; KAFKA_SSL_CA_FILE names a PEM bundle of the CAs to trust. */
  @IsOptional() @Transform(envBoolean) @IsBoolean() KAFKA_SSL?: boolean;
  @IsOptional() @IsString() KAFKA_SSL_CA_FILE?: string;
  /** The other services' base URLs, `name=http://host:port` comma-separated (the chart sets it in-cluster). */
  @IsOptional()
  @Matches(/^[a-z-]+=https?:\/\/[^\s,=]+(,[a-z-]+=https?:\/\/[^\s,=]+)*$/, {
    message: 'SERVICE_URLS must be name=http(s)://host:port pairs, comma-separated',
  })
  SERVICE_URLS?: string;
  /**
   * Hours a published outbox row stays, marked published, as a trail of what was sent (0, the default:
   * deleted as soon as the broker has it).
   */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(0) @Max(24 * 365) OUTBOX_KEEP_PUBLISHED_HOURS?: number;
  @IsOptional() @Transform(envBoolean) @IsBoolean() KAFKA_CREATE_TOPICS?: boolean;
  @IsOptional() @Transform(envNumber) @IsInt() @Min(1) KAFKA_TOPIC_PARTITIONS?: number;
  @IsOptional() @Transform(envNumber) @IsInt() @Min(1) @Max(20) EVENT_MAX_ATTEMPTS?: number;
  /** The longest one event handler's transaction may take before it is rolled back and retried (30 s). */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(100) @Max(600_000) KAFKA_HANDLER_TIMEOUT_MS?: number;
  /** Consecutive records of a partition applied in one transaction (250; 1: one transaction per record). */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(1) @Max(1000) KAFKA_MAX_BATCH_SIZE?: number;
  /** How long the broker waits for a silent consumer before rebalancing its partitions (30 s). */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(6000) @Max(300_000) KAFKA_SESSION_TIMEOUT_MS?: number;
  /**
   * Kafka's long poll: the longest a fetch waits for records (5000, bounded by a third of the session
   * timeout). A stop waits for the fetch in flight, so a shorter wait stops sooner and fetches more at rest.
   */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(10) @Max(100_000) KAFKA_FETCH_MAX_WAIT_MS?: number;
  @IsOptional() @Transform(envNumber) @IsInt() @Min(1) SHUTDOWN_TIMEOUT_MS?: number;
  /** Postgres session limits of every connection: a statement, a lock wait, an idle open transaction. */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(100) DATABASE_STATEMENT_TIMEOUT_MS?: number;
  @IsOptional() @Transform(envNumber) @IsInt() @Min(100) DATABASE_LOCK_TIMEOUT_MS?: number;
  @IsOptional() @Transform(envNumber) @IsInt() @Min(100) DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS?: number;
  /**
   * Tests and staging only: `POST <prefix>/clock/advance` moves the service's one clock forward, and every
   * timer of the service (SLA deadlines, journeys, cadences, date triggers, periodic jobs) honours it.
   */
  @IsOptional()
  @Transform(envBoolean)
  @IsBoolean()
  @ValidateIf((c: ServiceConfig) => process.env.NODE_ENV === 'production' && c.CLOCK_CONTROL !== undefined)
  @IsIn([false], { message: 'CLOCK_CONTROL may not be enabled in production' })
  CLOCK_CONTROL?: boolean;
  /**
   * Signs the one-time answer links of satisfaction surveys (growth-campaigns mints them when it sends the
   * survey, feedback-sla checks them); the two services need the same value. Without it no link is minted.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SURVEY_LINK_SECRET must be at least 32 characters' })
  SURVEY_LINK_SECRET?: string;
  /** How long a survey's answer link works (168 h: a week). */
  @IsOptional() @Transform(envNumber) @IsInt() @Min(1) @Max(90 * 24) SURVEY_LINK_TTL_HOURS?: number;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

/** Variables whose values are never printed, not even when they are wrong. */
const SECRET_NAME = /SECRET|KEY|PASSWORD|TOKEN|CREDENTIAL|DATABASE_URL/i;

function describeValue(name: string, value: unknown): string {
  if (value === undefined) return 'nothing';
  if (SECRET_NAME.test(name)) return `a value of ${String(value).length} characters, not shown`;
  return JSON.stringify(value);
}

/** Reads and validates the environment into a typed config; throws ConfigurationError naming each bad variable. */
export function loadConfig<T extends object>(
  type: new () => T,
  env: NodeJS.ProcessEnv = process.env,
  defaults: Record<string, string> = {},
): T {
  const source: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== '') source[key] = value;
  const config = plainToInstance(type, source, { enableImplicitConversion: false });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length > 0) {
    throw new ConfigurationError(
      errors.map(
        (e) =>
          `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')} (got ${describeValue(e.property, e.value)})`,
      ),
    );
  }
  return config;
}
