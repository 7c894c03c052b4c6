import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { PgNotifications } from '@crm/persistence';
import { MESSAGING_OPTIONS, PG_NOTIFICATIONS, type MessagingOptions } from './messaging.options';
import { OutboxPublisher } from './outbox.publisher';
import { OutboxRelay } from './outbox.relay';
import { ensureTopics } from './topics';

/** Starts the relay once the application is up and stops it (after a final flush) on shutdown. */
@Injectable()
class OutboxRelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly relay: OutboxRelay,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.createTopics)
      await ensureTopics(this.options.brokers, { partitions: this.options.topicPartitions });
    if (this.options.relay?.enabled !== false) await this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

export interface MessagingModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: (string | symbol | (new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => MessagingOptions | Promise<MessagingOptions>;
}

@Module({})
export class MessagingModule {
  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: PG_NOTIFICATIONS,
          inject: [MESSAGING_OPTIONS],
          useFactory: (messaging: MessagingOptions) => {
            const logger = new Logger(PgNotifications.name);
            return new PgNotifications(messaging.databaseUrl, (level, msg, extra) =>
              level === 'warn' ? logger.warn({ msg, ...extra }) : logger.log({ msg, ...extra }),
            );
          },
        },
        OutboxPublisher,
        OutboxRelay,
        OutboxRelayLifecycle,
      ],
      exports: [OutboxPublisher, OutboxRelay, MESSAGING_OPTIONS, PG_NOTIFICATIONS],
    };
  }
}
