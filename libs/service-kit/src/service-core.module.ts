import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MixedList } from 'typeorm';
import type { ServiceConfig } from '@crm/config';
import { MessagingModule, MessagingTables1732500000000 } from '@crm/messaging';
import {
  initialiseServiceDataSource,
  ScheduledJobsTable1732500000001,
  serviceDataSourceOptions,
} from '@crm/persistence';
import { HealthController } from './health.controller';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export interface ServiceCoreOptions<C extends ServiceConfig> {
  name: string;
  config: C;
  /** The config class, so handlers can inject the typed config. */
  configClass: new () => C;
  defaultSchema: string;
  entities: MixedList<new () => unknown>;
  migrations: MixedList<new () => unknown>;
}

/** What every service has: its schema and migrations, the outbox relay, health and metrics. */
@Module({})
export class ServiceCoreModule {
  static forService<C extends ServiceConfig>(options: ServiceCoreOptions<C>): DynamicModule {
    const schema = options.config.DATABASE_SCHEMA ?? options.defaultSchema;
    const configProviders: Provider[] = [
      { provide: options.configClass, useValue: options.config },
      { provide: SERVICE_CONFIG, useValue: options.config },
    ];
    return {
      module: ServiceCoreModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () =>
            serviceDataSourceOptions({
              url: options.config.DATABASE_URL,
              schema,
              entities: options.entities,
              migrations: [
                MessagingTables1732500000000,
                ScheduledJobsTable1732500000001,
                ...(options.migrations as (new () => unknown)[]),
              ],
            }),
          dataSourceFactory: (dataSourceOptions) => initialiseServiceDataSource(dataSourceOptions!),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            serviceName: options.name,
            brokers: options.config.KAFKA_BROKERS,
            schema,
            databaseUrl: options.config.DATABASE_URL,
            createTopics: options.config.KAFKA_CREATE_TOPICS ?? false,
            topicPartitions: options.config.KAFKA_TOPIC_PARTITIONS,
          }),
        }),
      ],
      controllers: [HealthController],
      providers: configProviders,
      exports: [...configProviders, TypeOrmModule],
    };
  }
}
