import { Logger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { eventRegistry } from '@crm/contracts';
import { JwtAuthGuard } from '@crm/auth';
import { loadConfig } from '@crm/config';
import { EventErrorPassthroughFilter, KafkaEventTransport, OutboxPublisher } from '@crm/messaging';
import { collectProcessMetrics, JsonLogger, stopTelemetry } from '@crm/observability';
import { createValidationPipe } from './validation';

export interface ServiceBootstrapOptions {
  name: string;
  module: Type<unknown> | DynamicModule;
  port: number;
  /** Route prefix unique to the service, so one ingress can route all of them. */
  prefix: string;
  jwtSecret: string;
  brokers: string;
  consumerGroup: string;
  maxAttempts?: number;
  shutdownTimeoutMs?: number;
  description?: string;
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
  const logger = new JsonLogger(options.name);
  collectProcessMetrics(options.name);
  const app = await NestFactory.create(options.module, { logger, bufferLogs: true });
  app.useLogger(logger);
  app.setGlobalPrefix(options.prefix, { exclude: ['health/live', 'health/ready', 'metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalGuards(new JwtAuthGuard(app.get(Reflector), options.jwtSecret));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`crm ${options.name}`)
      .setDescription(options.description ?? '')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  const transport = new KafkaEventTransport({
    brokers: options.brokers,
    clientId: options.name,
    consumerGroup: options.consumerGroup,
    dataSource: app.get(DataSource),
    outbox: app.get(OutboxPublisher),
    registry: eventRegistry,
    maxAttempts: options.maxAttempts,
  });
  app
    .connectMicroservice({ strategy: transport }, { deferInitialization: true })
    .useGlobalFilters(new EventErrorPassthroughFilter());
  await app.startAllMicroservices();
  await app.listen(options.port, '0.0.0.0');
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
  bootstrapService(options(config)).catch((error: Error) => {
    Logger.error({ msg: 'service failed to start', error: error.message, stack: error.stack }, 'Bootstrap');
    process.exit(1);
  });
}
