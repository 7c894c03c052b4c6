import type { Server } from 'node:http';
import { Logger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import {
  deadLetterTopic,
  eventRegistry,
  localServiceUrls,
  SERVICE_CATALOG,
  serviceIdentity,
  type ConsumerGroupName,
} from '@crm/contracts';
import {
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  JwksVerifier,
  JwtAuthGuard,
  SharedSecretVerifier,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  type TokenVerifier,
} from '@crm/auth';
import { loadConfig, type ServiceConfig } from '@crm/config';
import { EventErrorPassthroughFilter, KafkaEventTransport, OutboxPublisher } from '@crm/messaging';
import { collectProcessMetrics, serviceLogger, stopTelemetry } from '@crm/observability';
import { Logger as PinoNestLogger, PinoLogger } from 'nestjs-pino';
import { localDefaults } from './local-defaults';
import { HttpProblemFilter, RejectNulCharacters } from './problem.filter';
import { createValidationPipe } from './validation';
import { serveContractDocs } from './contract-docs';

export interface ServiceBootstrapOptions {
  name: string;
  module: Type<unknown> | DynamicModule;
  port: number;
  /** Route prefix unique to the service, so one ingress can route all of them. */
  prefix: string;
  /** How bearer tokens are verified: an identity provider's JWKS, or (development) a shared secret. */
  auth: TokenVerifier;
  brokers: string;
  consumerGroup: string;
  deadLetterTopic?: string;
  maxAttempts?: number;
  handlerTimeoutMs?: number;
  sessionTimeoutMs?: number;
  fetchMaxWaitMs?: number;
  maxBatchSize?: number;
  shutdownTimeoutMs?: number;
  description?: string;
  http?: HttpTimeouts;
}

/**
 * The HTTP server's limits. Node's defaults cut any request whose body is still arriving after 300 s; a
 * service that takes streamed uploads (customer-profile's imports) lifts that (`requestTimeoutMs: 0`) and
 * closes sockets idle for `idleTimeoutMs` instead, so a stream that keeps sending is never cut and a stalled
 * one is.
 */
export interface HttpTimeouts {
  requestTimeoutMs?: number;
  idleTimeoutMs?: number;
}

export interface RunningService {
  app: INestApplication;
  transport: KafkaEventTransport;
  url: string;
  shutdown(signal?: string): Promise<void>;
}

/**
 * Starts a service: HTTP API with validation, auth, OpenAPI at /docs; the Kafka transport for its
 * @EventPattern handlers; and a SIGTERM path that stops consuming, finishes the batch, commits,
 * flushes the outbox and exits within the timeout.
 */
export async function bootstrapService(options: ServiceBootstrapOptions): Promise<RunningService> {
  collectProcessMetrics(options.name);
  // nestjs-pino's logger over the process's pino logger: JSON from the first line, also when start fails.
  const logger = new PinoNestLogger(
    new PinoLogger({ pinoHttp: { logger: serviceLogger(options.name) } }),
    {},
  );
  const app = await NestFactory.create(options.module, { logger });
  app.setGlobalPrefix(options.prefix, { exclude: ['health/live', 'health/ready', 'metrics'] });
  app.useGlobalPipes(new RejectNulCharacters(), createValidationPipe());
  app.useGlobalFilters(new HttpProblemFilter());
  app.useGlobalGuards(new JwtAuthGuard(app.get(Reflector), options.auth));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`crm ${options.name}`)
      .setDescription(options.description ?? '')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  serveContractDocs(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  const transport = new KafkaEventTransport({
    brokers: options.brokers,
    clientId: options.name,
    consumerGroup: options.consumerGroup,
    deadLetterTopic: options.deadLetterTopic,
    dataSource: app.get(DataSource),
    outbox: app.get(OutboxPublisher),
    registry: eventRegistry,
    maxAttempts: options.maxAttempts,
    handlerTimeoutMs: options.handlerTimeoutMs,
    sessionTimeoutMs: options.sessionTimeoutMs,
    fetchMaxWaitMs: options.fetchMaxWaitMs,
    maxBatchSize: options.maxBatchSize,
  });
  app
    .connectMicroservice({ strategy: transport }, { deferInitialization: true })
    .useGlobalFilters(new EventErrorPassthroughFilter());
  await app.startAllMicroservices();
  await app.listen(options.port, '0.0.0.0');
  const server = app.getHttpServer() as Server;
  if (options.http?.requestTimeoutMs !== undefined) server.requestTimeout = options.http.requestTimeoutMs;
  if (options.http?.idleTimeoutMs !== undefined) server.timeout = options.http.idleTimeoutMs;
  const url = `http://127.0.0.1:${options.port}`;
  Logger.log({ msg: 'service started', url, prefix: options.prefix, docs: `${url}/docs` }, 'Bootstrap');

  let stopping: Promise<void> | undefined;
  const shutdown = (signal = 'SIGTERM') => {
    stopping ??= (async () => {
      const timeout = options.shutdownTimeoutMs ?? 25_000;
      const timer = setTimeout(() => {
        Logger.error({ msg: 'graceful shutdown timed out; exiting', timeoutMs: timeout }, 'Bootstrap');
        process.exit(1);
      }, timeout);
      timer.unref();
      Logger.log({ msg: 'shutting down', signal }, 'Bootstrap');
      // Consumer first (finish the batch, commit), then the app: relay flush, HTTP, database.
      await transport.close();
      await app.close();
      await stopTelemetry();
      clearTimeout(timer);
    })();
    return stopping;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown(signal).then(() => process.exit(0));
    });
  }
  return { app, transport, url, shutdown };
}

/**
 * A service's main: validates the configuration (failing fast with a message naming each bad variable),
 * then starts the service. Errors at start exit the process with status 1.
 */
export function runService<C extends object>(
  configClass: new () => C,
  defaults: Record<string, string>,
  options: (config: C) => ServiceBootstrapOptions,
): void {
  let config: C;
  try {
    config = loadConfig(configClass, process.env, defaults);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  const service = options(config);
  bootstrapService(service).catch((error: Error) => {
    serviceLogger(service.name).fatal({ msg: 'service failed to start', err: error, context: 'Bootstrap' });
    process.exit(1);
  });
}

export interface CatalogServiceOptions<C extends ServiceConfig> {
  configClass: new () => C;
  /** The service's own settings, for every environment. */
  defaults?: Record<string, string>;
  /** Settings for local development only (never applied with NODE_ENV=production): keys, secrets. */
  localOnly?: Record<string, string>;
  module: (config: C) => Type<unknown> | DynamicModule;
  description: string;
  http?: HttpTimeouts;
}

/** Starts one of the catalog's services: its port, prefix and consumer group come from `@crm/contracts`. */
export function runCatalogService<C extends ServiceConfig>(
  name: ConsumerGroupName,
  options: CatalogServiceOptions<C>,
): void {
  const service = serviceIdentity(name);
  runService(
    options.configClass,
    {
      ...options.defaults,
      ...localDefaults({
        PORT: String(service.port),
        SERVICE_URLS: localServiceUrls(),
        ...options.localOnly,
      }),
    },
    (config) => ({
      name: service.name,
      module: options.module(config),
      port: config.PORT,
      prefix: service.prefix,
      auth: tokenVerifier(config),
      brokers: config.KAFKA_BROKERS,
      consumerGroup: config.KAFKA_CONSUMER_GROUP ?? service.consumerGroup,
      deadLetterTopic: deadLetterTopic(service.consumerGroup),
      maxAttempts: config.EVENT_MAX_ATTEMPTS,
      handlerTimeoutMs: config.KAFKA_HANDLER_TIMEOUT_MS,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      fetchMaxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS,
      maxBatchSize: config.KAFKA_MAX_BATCH_SIZE,
      description: options.description,
      http: options.http,
    }),
  );
}

/** SERVICE_URLS as a map from service name to base URL; an unknown name fails the start. */
export function serviceUrls(config: ServiceConfig): Map<ConsumerGroupName, string> {
  const urls = new Map<ConsumerGroupName, string>();
  for (const pair of (config.SERVICE_URLS ?? '').split(',').filter(Boolean)) {
    const [name, url] = pair.split('=') as [ConsumerGroupName, string];
    if (!SERVICE_CATALOG.some((s) => s.name === name))
      throw new Error(`SERVICE_URLS names "${name}", which is not a service of the catalog`);
    urls.set(name, url.replace(/\/+$/, ''));
  }
  return urls;
}

/** An identity provider's JWKS when one is configured; otherwise the development shared secret. */
export function tokenVerifier(
  config: Pick<
    ServiceConfig,
    | 'AUTH_AUDIENCE'
    | 'AUTH_MAX_TOKEN_LIFETIME_SECONDS'
    | 'AUTH_OIDC_DISCOVERY_URL'
    | 'AUTH_JWKS_URL'
    | 'AUTH_ISSUER'
    | 'JWT_SECRET'
  >,
): TokenVerifier {
  const audience = config.AUTH_AUDIENCE ?? TOKEN_AUDIENCE;
  const maxLifetimeSeconds = config.AUTH_MAX_TOKEN_LIFETIME_SECONDS ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (config.AUTH_OIDC_DISCOVERY_URL || config.AUTH_JWKS_URL)
    return new JwksVerifier(
      { discoveryUrl: config.AUTH_OIDC_DISCOVERY_URL, jwksUrl: config.AUTH_JWKS_URL },
      { issuer: config.AUTH_ISSUER, audience, maxLifetimeSeconds },
    );
  if (!config.JWT_SECRET) throw new Error('JWT_SECRET or AUTH_OIDC_DISCOVERY_URL is required');
  return new SharedSecretVerifier(config.JWT_SECRET, {
    issuer: config.AUTH_ISSUER ?? TOKEN_ISSUER,
    audience,
    maxLifetimeSeconds,
  });
}
