import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : value === true || value === 'true' || value === '1';

/** Settings every service has. A service extends it with its own; `loadConfig` validates at start and fails fast. */
export class ServiceConfig {
  @IsString() @MinLength(1) DATABASE_URL: string;
  @IsString() @MinLength(1) KAFKA_BROKERS: string;
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) PORT: number;
  @IsOptional() @IsString() DATABASE_SCHEMA?: string;
  /** HS256 secret for bearer tokens (local use; production mounts it from a secret). */
  @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' }) JWT_SECRET: string;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']) LOG_LEVEL?: string;
  @IsOptional() @Transform(toBool) @IsBoolean() KAFKA_CREATE_TOPICS?: boolean;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) KAFKA_TOPIC_PARTITIONS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(20) EVENT_MAX_ATTEMPTS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) SHUTDOWN_TIMEOUT_MS?: number;
  /** Postgres session limits of every connection: a statement, a lock wait, an idle open transaction. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) DATABASE_STATEMENT_TIMEOUT_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) DATABASE_LOCK_TIMEOUT_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS?: number;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
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
          `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')} (got ${e.value === undefined ? 'nothing' : JSON.stringify(e.value)})`,
      ),
    );
  }
  return config;
}
