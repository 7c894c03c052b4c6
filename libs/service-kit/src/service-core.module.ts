import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { DataSource, type MixedList } from 'typeorm';
import type { ServiceConfig } from '@crm/config';
import { serviceLogger } from '@crm/observability';
import { serviceIdentity, type ConsumerGroupName } from '@crm/contracts';
import { MessagingModule, MESSAGING_MIGRATIONS } from '@crm/messaging';
import {
  DEFAULT_SESSION_TIMEOUTS,
  initialiseServiceDataSource,
  ScheduledJobsTable1732500000001,
  ServiceClock,
  ServiceClockTable1732500000002,
  serviceDataSourceOptions,
} from '@crm/persistence';
import { ClockController } from './clock.controller';
import { HealthController } from './health.controller';
import { SubjectAccess, subjectAccessController } from './subject-access';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export interface ServiceCoreOptions<C extends ServiceConfig> {
  /** The service in the catalog (`@crm/contracts`): its name and default schema come from there. */
  service: ConsumerGroupName;
  config: C;
  /** The config class, so handlers can inject the typed config. */
  configClass: new () => C;
  entities?: MixedList<new () => unknown>;
  migrations: MixedList<new () => unknown>;
}

/** What every service has: its schema and migrations, the outbox relay, health and metrics. */
@Module({})
export class ServiceCoreModule {
  static forService<C extends ServiceConfig>(options: ServiceCoreOptions<C>): DynamicModule {
    const identity = serviceIdentity(options.service);
    const schema = options.config.DATABASE_SCHEMA ?? identity.schema;
    const configProviders: Provider[] = [
      { provide: options.configClass, useValue: options.config },
      { provide: SERVICE_CONFIG, useValue: options.config },
      {
        provide: ServiceClock,
        useFactory: (dataSource: DataSource) =>
          new ServiceClock(dataSource, options.config.CLOCK_CONTROL === true),
        inject: [DataSource],
      },
    ];
    return {
      module: ServiceCoreModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger: serviceLogger(identity.name),
            // Probes and scrapes every few seconds are not worth a line each.
            // Express strips the mount path from req.url inside middleware; originalUrl keeps it.
            autoLogging: {
              ignore: (req) =>
                /^\/(health|metrics)/.test((req as { originalUrl?: string }).originalUrl ?? req.url ?? ''),
            },
            quietReqLogger: true,
          },
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () =>
            serviceDataSourceOptions({
              url: options.config.DATABASE_URL,
              schema,
              entities: options.entities ?? [],
              poolSize: options.config.DATABASE_POOL_SIZE,
              idleSeconds: options.config.DATABASE_POOL_IDLE_SECONDS,
              timeouts: {
                statementMs:
                  options.config.DATABASE_STATEMENT_TIMEOUT_MS ?? DEFAULT_SESSION_TIMEOUTS.statementMs,
                lockMs: options.config.DATABASE_LOCK_TIMEOUT_MS ?? DEFAULT_SESSION_TIMEOUTS.lockMs,
                idleInTransactionMs:
                  options.config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS ??
                  DEFAULT_SESSION_TIMEOUTS.idleInTransactionMs,
              },
              migrations: [
                ...MESSAGING_MIGRATIONS,
                ScheduledJobsTable1732500000001,
                ServiceClockTable1732500000002,
                ...(options.migrations as (new () => unknown)[]),
              ],
            }),
          dataSourceFactory: (dataSourceOptions) => initialiseServiceDataSource(dataSourceOptions!),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            serviceName: identity.name,
            brokers: options.config.KAFKA_BROKERS,
            schema,
            databaseUrl: options.config.DATABASE_URL,
            createTopics: options.config.KAFKA_CREATE_TOPICS ?? false,
            topicPartitions: options.config.KAFKA_TOPIC_PARTITIONS,
            relay: { retentionHours: options.config.OUTBOX_KEEP_PUBLISHED_HOURS ?? 0 },
          }),
        }),
      ],
      controllers: [HealthController, ClockController],
      providers: configProviders,
      exports: [...configProviders, TypeOrmModule],
    };
  }
}

/** The root module of every service process; one per process, so one class serves all six. */
@Module({})
class ServiceApplicationModule {}

/**
 * A service's root module: the service core (schema and migrations, messaging, health and metrics), its
 * part of subject-access exports, and the service's own controllers, handlers and providers.
 */
export function serviceApplication<C extends ServiceConfig>(
  service: ConsumerGroupName,
  config: C,
  configClass: new () => C,
  parts: Pick<ServiceCoreOptions<C>, 'entities' | 'migrations'> &
    Pick<ModuleMetadata, 'controllers' | 'providers'>,
): DynamicModule {
  const { controllers, providers, ...schema } = parts;
  return {
    module: ServiceApplicationModule,
    imports: [ServiceCoreModule.forService({ service, config, configClass, ...schema })],
    controllers: [...(controllers ?? []), subjectAccessController(service)],
    providers: [...(providers ?? []), SubjectAccess],
  };
}
