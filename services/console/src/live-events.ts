import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { TOPIC_CATALOG } from '@crm/contracts';
import { createKafka, recordConsumerCrash, recordConsumerJoined } from '@crm/messaging';
import { ConsoleConfig } from './console.config';
import type { LiveEvent } from './view-model';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Event types whose payload names a ticket (the only payloads the relay reads). */
const TICKET_EVENT = /^crm\.(ticket|sla)\./;

const header = (message: Pick<KafkaMessage, 'headers'>, name: string): string => {
  const value = message.headers?.[name];
  return value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
};

/**
 * What a browser is told of a record: its catalogue type and the ids it concerns, never its payload (the page
 * asks the API again, which answers what the viewer's role may see). The customer is the record's subject
 * header; only ticket and SLA events are parsed, for their ticket id.
 */
export function liveEventOf(
  message: Pick<KafkaMessage, 'headers' | 'value' | 'timestamp'>,
): LiveEvent | null {
  const type = header(message, 'ce_type');
  if (!/^crm\.[a-z0-9.-]{1,100}\.v\d+$/.test(type)) return null;
  const id = (value: unknown) => (typeof value === 'string' && UUID.test(value) ? value : null);
  let ticketId: string | null = null;
  if (TICKET_EVENT.test(type))
    try {
      const parsed: unknown = message.value ? JSON.parse(message.value.toString('utf8')) : {};
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        ticketId = id((parsed as Record<string, unknown>).ticketId);
    } catch {
      return null;
    }
  const millis = Number(message.timestamp);
  return {
    type,
    customerId: id(header(message, 'ce_subject')),
    ticketId,
    occurredAt: new Date(Number.isFinite(millis) && millis > 0 ? millis : Date.now()).toISOString(),
  };
}

/** The customer histories (not the compacted state topic, which repeats them as snapshots). */
export const CONSOLE_TOPICS = TOPIC_CATALOG.filter(
  (t) => t.key === 'customerId' && t.cleanupPolicy === 'delete',
).map((t) => t.name);

type Listener = (event: LiveEvent) => void;

/**
 * Reads the customer topics from their end, as a consumer group of its own per replica (every replica's
 * browsers see every event), and hands each record to the open event streams. Nothing is committed: a
 * restarted replica starts from the end again, and a browser that reconnects reloads what it shows.
 * While no stream is open the consumer is paused (it stays in its group and fetches nothing: relaying a
 * busy platform's records to nobody cost about 7 ms of CPU per purchase); the first stream to open moves it
 * to the records written from just before that stream opened, skipping what was written while nobody watched.
 * The pause is stated again at every group join, since a consumer that kafkajs restarts after a crash
 * fetches everything until told otherwise.
 */
@Injectable()
export class LiveEvents implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(LiveEvents.name);
  /** The open streams: each one's listener, and how to end it from this side (its response closed). */
  private readonly listeners = new Map<Listener, (() => void) | undefined>();
  private consumer?: Consumer;
  private admin?: Admin;
  private joined = false;
  /** Paused while no stream is open; changed one step at a time by `settle`. */
  private paused = false;
  private watchingSince = 0;
  private settling: Promise<void> = Promise.resolve();
  relayed = 0;

  constructor(private readonly config: ConsoleConfig) {}

  get ready(): boolean {
    return this.joined;
  }

  get streams(): number {
    return this.listeners.size;
  }

  /**
   * Adds a listener unless the replica already serves its most streams; answers the way to remove it. `end`
   * ends the stream from this side (closes its response): the replica calls it when it shuts down.
   */
  listen(listener: Listener, end?: () => void): (() => void) | null {
    if (this.listeners.size >= this.config.CONSOLE_MAX_STREAMS) return null;
    if (this.listeners.size === 0) this.watchingSince = Date.now();
    this.listeners.set(listener, end);
    this.settle();
    return () => {
      if (this.listeners.delete(listener)) this.settle();
    };
  }

  /** Pauses the consumer when nobody watches, resumes it when somebody does (in order, one change at a time). */
  private settle(options: { restatePause?: boolean } = {}): void {
    this.settling = this.settling
      .then(() => this.reconcile(options.restatePause ?? false))
      .catch((error: Error) =>
        this.logger.warn(`could not pause or resume the live events: ${error.message}`),
      );
  }

  /** `restatePause`: pause when nobody watches even if paused before (the consumer may have forgotten it). */
  private async reconcile(restatePause: boolean): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const topics = CONSOLE_TOPICS.map((topic) => ({ topic }));
    const watched = this.listeners.size > 0;
    if (!watched && (!this.paused || restatePause)) {
      consumer.pause(topics);
      this.paused = true;
    } else if (watched && this.paused) {
      // From a second before the first stream opened: nothing written since then is missed.
      for (const topic of CONSOLE_TOPICS)
        for (const { partition, offset } of await this.admin!.fetchTopicOffsetsByTimestamp(
          topic,
          this.watchingSince - 1000,
        ))
          consumer.seek({ topic, partition, offset });
      consumer.resume(topics);
      this.paused = false;
    }
  }

  /** The client of the live events (a seam for the unit tests, which stand in for kafkajs). */
  protected kafka(): Kafka {
    return createKafka(this.config.KAFKA_BROKERS, 'console');
  }

  async onModuleInit(): Promise<void> {
    const group = `console-live-${hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 60)}-${randomBytes(4).toString('hex')}`;
    const kafka = this.kafka();
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 1_000,
    });
    this.consumer = consumer;
    // A crash kafkajs does not restart would leave the console's live view silent: the liveness probe says so.
    consumer.on(consumer.events.CRASH, ({ payload }) => recordConsumerCrash(payload, this.logger));
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      recordConsumerJoined(group);
      // After a crash (a coordinator still loading, a broker restart) kafkajs starts the consumer again
      // with a new group object that has forgotten the pause: each join states it again. Left fetching,
      // an unwatched console decoded every record of the platform (36 s of CPU over a 20,000-customer
      // import, as much as a service).
      this.settle({ restatePause: true });
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: CONSOLE_TOPICS,
      fromBeginning: false,
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        // Nobody watching: nothing to decode (the stream starts from the end; a page reloads on connect).
        if (this.listeners.size === 0) return;
        const event = liveEventOf(message);
        if (!event) return;
        this.relayed += 1;
        for (const listener of this.listeners.keys()) {
          try {
            listener(event);
          } catch (error) {
            this.logger.warn(`an event stream failed: ${(error as Error).message}`);
          }
        }
      },
    });
  }

  /**
   * Ends every open stream before the HTTP server closes. An event stream never ends by itself, and the
   * server's close waits for its open responses: with a browser watching, a SIGTERM'd replica stayed up until
   * it was killed (30 s in the tests, the pod's whole grace period on Kubernetes). Browsers reconnect on their
   * own (`retry`), to a replica that is up.
   */
  beforeApplicationShutdown(): void {
    const enders = [...this.listeners.values()];
    this.listeners.clear();
    for (const end of enders)
      try {
        end?.();
      } catch (error) {
        this.logger.warn(`an event stream did not end cleanly: ${(error as Error).message}`);
      }
  }

  async onApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    await this.settling;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
