import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Admin, Consumer, EachBatchPayload, IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import {
  decodeEvent,
  deadLetterTopic,
  EventRejectedError,
  topicOwner,
  type EventEnvelope,
  type EventRegistry,
} from '@crm/contracts';
import { contextFromTraceHeaders, counter, gauge, histogram, inSpan, SpanKind } from '@crm/observability';
import { queryRows } from '@crm/persistence';
import { forgetConsumer, recordConsumerCrash, recordConsumerJoined } from './consumer-health';
import { BATCH_HANDLER, EventBatchContext, EventContext } from './event-context';
import { createKafka } from './kafka-client';
import type { OutboxPublisher } from './outbox.publisher';

export interface KafkaEventTransportOptions {
  brokers: string;
  clientId: string;
  /** One consumer group per service; its dead-letter topic is `crm.dlq.<group>` unless `deadLetterTopic` says. */
  consumerGroup: string;
  /** Where failed events go; the service's own dead-letter topic also when it consumes under another group. */
  deadLetterTopic?: string;
  dataSource: DataSource;
  outbox: OutboxPublisher;
  registry: EventRegistry;
  /** Attempts per event before it is dead-lettered (blocking, in order). */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  partitionsConsumedConcurrently?: number;
  /** The broker drops a member it has not heard from for this long; heartbeats go on while a handler runs. */
  sessionTimeoutMs?: number;
  /**
   * The longest a fetch waits for records to arrive (Kafka's long poll; default 5 s, at most a third of the
   * session timeout). A stop waits for the fetch in flight, so this is also what a consumer's shutdown can wait.
   */
  fetchMaxWaitMs?: number;
  /**
   * The longest a handler's transaction may take (default 30 s). Past it the transaction is abandoned: its
   * connection is closed, so Postgres rolls everything back and nothing the handler does later can write
   * through it; the attempt counts as failed, and the last one dead-letters the record as `HANDLER_TIMEOUT`.
   */
  handlerTimeoutMs?: number;
  /** How often consumer lag is sampled from the broker; default 15 s. */
  lagSampleMs?: number;
  /**
   * Up to this many consecutive records of a partition are applied in one transaction with one inbox
   * insert (default 250; 1 turns it off). A run that fails for any reason is rolled back and applied again
   * record by record, with the usual retries and dead letters, so a batch never changes the outcome.
   */
  maxBatchSize?: number;
}

/**
 * How long a fetch waits for records: the configured wait (Kafka's 5 s by default), never more than a third
 * of the session timeout, so that the heartbeats sent between fetches stay well inside it.
 */
export function fetchMaxWait(sessionTimeoutMs: number, configuredMs = 5000): number {
  return Math.min(configuredMs, Math.floor(sessionTimeoutMs / 3));
}

type Outcome = 'processed' | 'duplicate' | 'ignored' | 'dead-lettered';
type EventHandler = NonNullable<ReturnType<Server['getHandlerByPattern']>>;

/** The key that groups records for a batch handler (`@EventBatchPattern`), or undefined for a per-record one. */
function batchKey(handler: EventHandler): symbol | undefined {
  const key: unknown = handler.extras?.[BATCH_HANDLER];
  return typeof key === 'symbol' ? key : undefined;
}

/** A record of a run whose handler takes it. */
interface HandledRecord {
  message: KafkaMessage;
  envelope: EventEnvelope;
}

/** A handler that did not finish within `handlerTimeoutMs`. */
export class HandlerTimeoutError extends Error {
  constructor(eventType: string, limitMs: number) {
    super(`handler for ${eventType} took longer than ${limitMs} ms; its transaction was rolled back`);
    this.name = 'HandlerTimeoutError';
  }
}

/** TypeORM's Postgres query runner gives the connection back to the pool, or with an error destroys it. */
interface ReleasableWithError {
  releasePostgresConnection?(error?: Error): Promise<void>;
}

const HEARTBEAT_INTERVAL_MS = 3000;
/**
 * Offsets are committed at most this often (and at shutdown and before a rebalance), not after every batch:
 * a record processed but not yet committed comes again after a crash and is skipped by the inbox, so a
 * commit per record buys nothing but broker requests.
 */
const COMMIT_INTERVAL_MS = 1000;
/**
 * Records per run by default: longer runs take fewer statements per record under load, a failed run is applied
 * again record by record, and a run holds its customers' rows until it commits (the measurements behind the
 * choice are in bench/README.md, "Registrations in waves, points published together, longer runs"). Under light
 * load a run holds what a fetch brought (often one record), so the size costs nothing then.
 */
const DEFAULT_MAX_BATCH_SIZE = 250;
/** Tries to produce one dead letter before the error goes up to the consumer. */
const DEAD_LETTER_ATTEMPTS = 5;
const consumerLag = () =>
  gauge('crm_consumer_lag', 'Records on a partition not yet committed by the consumer group (sampled)', [
    'group',
    'topic',
    'partition',
  ]);
const deadLetterFailures = () =>
  counter('crm_dead_letter_failures_total', 'Attempts to produce a dead letter that failed', ['topic']);

const consumed = () =>
  counter('crm_events_consumed_total', 'Events consumed by outcome', ['event_type', 'outcome']);
const retries = () =>
  counter('crm_event_handler_retries_total', 'Handler attempts that failed and were retried', ['event_type']);
const handlerSeconds = () =>
  histogram(
    'crm_event_handler_duration_seconds',
    'Handler transaction time',
    ['event_type'],
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  );

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/**
 * A Nest transport that owns the kafkajs consumer loop: per-partition order, an inbox row in the handler's
 * transaction, offsets committed only after it, bounded blocking retries, and a dead-letter topic for
 * events that are invalid or keep failing. Handlers are ordinary `@EventPattern('<ce_type>')` methods.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(KafkaEventTransport.name);
  private consumer?: Consumer;
  private producer?: Producer;
  /** Handlers by event type, looked up once per type (see getHandlerByPattern). */
  private readonly handlersByType = new Map<string, EventHandler | null>();
  private admin?: Admin;
  private lagSampler?: NodeJS.Timeout;
  /** The next offset to read of each partition this member processed (committed periodically and at close). */
  private readonly processed = new Map<string, { topic: string; partition: number; offset: string }>();
  private readonly batchesInFlight = new Set<Promise<void>>();
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly maxBatchSize: number;
  private closing = false;

  /**
   * Nest's lookup JSON-parses the pattern on every call and, for an event type (not JSON), throws and catches
   * a SyntaxError: about 20 µs a record, 11 % of a consumer's CPU in the transport benchmark. Handlers are all
   * registered before the consumer starts; a registration clears what was looked up.
   */
  override getHandlerByPattern(pattern: string): EventHandler | null {
    let handler = this.handlersByType.get(pattern);
    if (handler === undefined) {
      handler = super.getHandlerByPattern(pattern);
      this.handlersByType.set(pattern, handler);
    }
    return handler;
  }

  override addHandler(...args: Parameters<Server['addHandler']>): void {
    this.handlersByType.clear();
    super.addHandler(...args);
  }

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
    this.maxAttempts = options.maxAttempts ?? 5;
    this.initialBackoffMs = options.initialBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? 30_000;
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE);
  }

  /** Topics to subscribe to, from the contracts of the handled event types. */
  subscribedTopics(): string[] {
    const topics = new Set<string>();
    for (const pattern of this.getHandlers().keys()) topics.add(this.options.registry.get(pattern).topic);
    return [...topics].sort();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async start(): Promise<void> {
    const topics = this.subscribedTopics();
    if (topics.length === 0) {
      this.logger.log('no event handlers registered; not consuming');
      return;
    }
    const kafka = createKafka(this.options.brokers, this.options.clientId);
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
    const sessionTimeout = this.options.sessionTimeoutMs ?? 30_000;
    this.consumer = kafka.consumer({
      groupId: this.options.consumerGroup,
      sessionTimeout,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      // Kafka's long poll: a fetch answers as soon as a record arrives, so a long wait costs no latency, and
      // an idle consumer asks a few times a minute instead of ten times a second (bounded so that the
      // heartbeats sent between fetches stay well inside the session timeout). A stop waits for the fetch in
      // flight: KAFKA_FETCH_MAX_WAIT_MS trades idle fetches for faster stops.
      maxWaitTimeInMs: fetchMaxWait(sessionTimeout, this.options.fetchMaxWaitMs),
      allowAutoTopicCreation: false,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    // A crash kafkajs does not restart leaves the process up and deaf: the liveness probe reports it.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => recordConsumerCrash(payload, this.logger));
    // After a rebalance only the partitions assigned now are this member's to commit at close.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      recordConsumerJoined(this.options.consumerGroup);
      const assigned = new Set(
        Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
          partitions.map((partition) => `${topic}:${partition}`),
        ),
      );
      for (const key of this.processed.keys()) if (!assigned.has(key)) this.processed.delete(key);
    });
    await this.consumer.run({
      // kafkajs commits what was resolved (only ever after the handler's transaction committed) every
      // COMMIT_INTERVAL_MS and before it rejoins the group; close() commits the rest.
      autoCommit: true,
      autoCommitInterval: COMMIT_INTERVAL_MS,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: async (payload) => {
        const batch = this.consumeBatch(payload);
        this.batchesInFlight.add(batch);
        try {
          await batch;
        } finally {
          this.batchesInFlight.delete(batch);
        }
      },
    });
    this.logger.log({ msg: 'consuming', group: this.options.consumerGroup, topics });
    this.admin = kafka.admin();
    await this.admin.connect();
    // Lag from the broker (committed offsets against log ends), so it stays true when the consumer is stuck.
    this.lagSampler = setInterval(() => void this.sampleLag(topics), this.options.lagSampleMs ?? 15_000);
    this.lagSampler.unref();
    void this.sampleLag(topics);
  }

  private async consumeBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    // The group hears from this member while a slow handler runs, not only between records, so a handler
    // slower than the session timeout does not cost the partition (kafkajs sends at most one per interval).
    // A failed beat (a rebalance) is left to the beat after the record, which ends the batch.
    const beating = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
    try {
      const done = (message: KafkaMessage) => {
        resolveOffset(message.offset);
        this.processed.set(`${batch.topic}:${batch.partition}`, {
          topic: batch.topic,
          partition: batch.partition,
          offset: (BigInt(message.offset) + 1n).toString(),
        });
      };
      const messages = batch.messages;
      let singlyUntil = 0; // records of a run that failed as a whole go one by one
      for (let i = 0; i < messages.length;) {
        if (!isRunning() || isStale() || this.closing) break;
        if (i >= singlyUntil) {
          const run = await this.consumeRun(
            batch.topic,
            batch.partition,
            messages.slice(i, i + this.maxBatchSize),
          );
          if (run.applied > 0) {
            for (const message of messages.slice(i, i + run.applied)) done(message);
            i += run.applied;
            await heartbeat();
            continue;
          }
          singlyUntil = i + run.retrySingly;
        }
        await this.consumeMessage(batch.topic, batch.partition, messages[i]);
        done(messages[i]);
        i += 1;
        await heartbeat();
      }
    } finally {
      clearInterval(beating);
    }
  }

  /**
   * A record of a known type this consumer has no handler for is none of its business: skipped on its
   * `ce_type` header, before its payload is parsed and validated (most records of a shared topic are such,
   * and decoding them was a large share of a consumer's CPU). A missing or unknown type is decoded as
   * before, so a malformed record still gets its dead-letter entry with the reason.
   */
  private unhandled(type: string | undefined): boolean {
    return !!type && !!this.options.registry.find(type) && !this.getHandlerByPattern(type);
  }

  /** A metrics label: a catalog type, never a value from the wire that the catalog does not know. */
  private typeLabel(type: string | undefined): string {
    return type && this.options.registry.find(type) ? type : 'unknown';
  }

  private async consumeMessage(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const headers = headersToStrings(message.headers);
    // A tombstone (compacted topics: a key deleted) is not an event: nothing to handle, nothing to dead-letter.
    if (message.value === null && headers.ce_type && this.options.registry.find(headers.ce_type)) {
      consumed().inc({ event_type: headers.ce_type, outcome: 'tombstone' });
      return;
    }
    if (this.unhandled(headers.ce_type)) {
      consumed().inc({ event_type: this.typeLabel(headers.ce_type), outcome: 'ignored' });
      return;
    }
    let envelope: EventEnvelope;
    try {
      envelope = decodeEvent(this.options.registry, headers, message.value);
    } catch (error) {
      if (!(error instanceof EventRejectedError)) throw error;
      await this.deadLetter(topic, partition, message, error.code, error.message, 0);
      consumed().inc({ event_type: headers.ce_type ?? 'unknown', outcome: 'dead-lettered' });
      return;
    }
    // Only the topic's owner publishes on it: a record claiming another source is set aside, never applied.
    const owner = topicOwner(topic);
    if (owner && envelope.source !== `/crm/${owner}`) {
      await this.deadLetter(
        topic,
        partition,
        message,
        'SOURCE_NOT_OWNER',
        `ce_source ${envelope.source || '(none)'} may not publish on ${topic}; its owner is /crm/${owner}`,
        0,
      );
      consumed().inc({ event_type: envelope.type, outcome: 'dead-lettered' });
      return;
    }
    const handler = this.getHandlerByPattern(envelope.type);
    if (!handler) {
      consumed().inc({ event_type: envelope.type, outcome: 'ignored' });
      return;
    }
    for (let attempt = 1; ; attempt += 1) {
      const timer = handlerSeconds().startTimer({ event_type: envelope.type });
      try {
        const outcome = await inSpan(
          `${topic} process`,
          this.consumerSpan(topic, envelope, { 'crm.attempt': attempt }),
          () =>
            this.handleInTransaction(envelope, handler, {
              topic,
              partition,
              offset: message.offset,
              attempt,
            }),
        );
        consumed().inc({ event_type: envelope.type, outcome });
        return;
      } catch (error) {
        const reason = (error as Error).message ?? String(error);
        if (attempt >= this.maxAttempts || this.closing) {
          if (this.closing) throw error;
          this.logger.error({
            msg: 'handler failed for good; dead-lettering',
            eventId: envelope.id,
            eventType: envelope.type,
            attempt,
            error: reason,
          });
          const code = error instanceof HandlerTimeoutError ? 'HANDLER_TIMEOUT' : 'HANDLER_FAILED';
          await this.deadLetter(topic, partition, message, code, reason, attempt);
          consumed().inc({ event_type: envelope.type, outcome: 'dead-lettered' });
          return;
        }
        retries().inc({ event_type: envelope.type });
        this.logger.warn({
          msg: 'handler failed; retrying',
          eventId: envelope.id,
          eventType: envelope.type,
          attempt,
          error: reason,
        });
        await sleep(Math.min(this.initialBackoffMs * 2 ** (attempt - 1), this.maxBackoffMs));
      } finally {
        timer();
      }
    }
  }

  /** One record: its inbox row and its handler's effects in one time-limited transaction. */
  private async handleInTransaction(
    envelope: EventEnvelope,
    handler: EventHandler,
    delivery: EventContext['delivery'],
  ): Promise<Outcome> {
    return this.inLimitedTransaction(envelope.type, async (manager) => {
      const inserted = await queryRows<{ event_id: string }>(
        manager,
        `INSERT INTO inbox (consumer_group, event_id, event_type) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.options.consumerGroup, envelope.id, envelope.type],
      );
      if (inserted.length === 0) return 'duplicate';
      await this.runHandler(handler, envelope, manager, delivery);
      return 'processed';
    });
  }

  /** The consumer span of one record: a child of the span that published it (its traceparent). */
  private consumerSpan(topic: string, envelope: EventEnvelope, extra: Record<string, number>) {
    return {
      kind: SpanKind.CONSUMER,
      parent: contextFromTraceHeaders(envelope),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': this.options.consumerGroup,
        'messaging.message.id': envelope.id,
        'crm.event_type': envelope.type,
        ...extra,
      },
    };
  }

  /** A Nest handler answers a value, a promise or an observable; whatever it is only has to settle. */
  private async runHandler(
    handler: EventHandler,
    envelope: EventEnvelope,
    manager: EntityManager,
    delivery: EventContext['delivery'],
  ): Promise<void> {
    const result: unknown = batchKey(handler)
      ? await handler(
          [envelope],
          new EventBatchContext([envelope], manager, {
            topic: delivery.topic,
            partition: delivery.partition,
            offsets: [delivery.offset],
            attempt: delivery.attempt,
          }),
        )
      : await handler(envelope, new EventContext(envelope, manager, this.options.outbox, delivery));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  /**
   * A batch handler's call for records of a run: one consumer span for all of them, a child of the first
   * record's producer span and linked to every record's.
   */
  private async runBatchHandler(
    topic: string,
    partition: number,
    handler: EventHandler,
    records: HandledRecord[],
    manager: EntityManager,
  ): Promise<void> {
    const events = records.map((r) => r.envelope);
    const span = this.consumerSpan(topic, events[0], { 'crm.attempt': 1 });
    // One span for several records: no single message id or event type describes it.
    const attributes: Record<string, string | number> = {
      ...span.attributes,
      'messaging.batch.message_count': events.length,
    };
    delete attributes['messaging.message.id'];
    delete attributes['crm.event_type'];
    await inSpan(
      `${topic} process`,
      { ...span, attributes, links: events.map((event) => contextFromTraceHeaders(event)) },
      async () => {
        const context = new EventBatchContext(events, manager, {
          topic,
          partition,
          offsets: records.map((r) => r.message.offset),
          attempt: 1,
        });
        const result: unknown = await handler(events, context);
        await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      },
    );
  }

  /**
   * Applies consecutive records of one partition in one transaction: one inbox insert for all of them,
   * then each new one's handler in order, each in its own span. Only a prefix of clean records is taken
   * (valid, from the topic's owner); the first other record ends the run and goes the single way. Any
   * failure rolls the whole run back and answers how many records to apply one by one instead.
   */
  private async consumeRun(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<{ applied: number; retrySingly: number }> {
    if (this.maxBatchSize < 2 || messages.length < 2) return { applied: 0, retrySingly: 0 };
    const owner = topicOwner(topic);
    const run: { message: KafkaMessage; type: string; envelope?: EventEnvelope; handler?: EventHandler }[] =
      [];
    for (const message of messages) {
      const headers = headersToStrings(message.headers);
      if (this.unhandled(headers.ce_type)) {
        run.push({ message, type: this.typeLabel(headers.ce_type) });
        continue;
      }
      let envelope: EventEnvelope;
      try {
        envelope = decodeEvent(this.options.registry, headers, message.value);
      } catch {
        break;
      }
      if (owner && envelope.source !== `/crm/${owner}`) break;
      run.push({
        message,
        type: envelope.type,
        envelope,
        handler: this.getHandlerByPattern(envelope.type) ?? undefined,
      });
    }
    const handled = run.filter((r) => r.handler);
    if (handled.length === 0 && run.length > 0) {
      // None of this consumer's business: nothing to write, so no transaction. Taken as a run all the same:
      // left to the single way, each of them started a new look-ahead over the records after it, decoding
      // up to maxBatchSize records' headers again (a consumer reading a topic it mostly ignores spent 14 % of
      // its CPU there in a bulk import).
      for (const { message, type } of run)
        consumed().inc({ event_type: type, outcome: message.value === null ? 'tombstone' : 'ignored' });
      return { applied: run.length, retrySingly: 0 };
    }
    if (run.length < 2) return { applied: 0, retrySingly: 0 };
    const started = performance.now();
    let outcomes: Outcome[];
    try {
      outcomes = await this.inLimitedTransaction(`a run of ${run.length}`, async (manager) => {
        const fresh = new Set(
          (
            await queryRows<{ event_id: string }>(
              manager,
              `INSERT INTO inbox (consumer_group, event_id, event_type)
               SELECT $1, e, t FROM unnest($2::text[], $3::text[]) AS rows(e, t)
               ON CONFLICT DO NOTHING RETURNING event_id`,
              [
                this.options.consumerGroup,
                handled.map((r) => r.envelope!.id),
                handled.map((r) => r.envelope!.type),
              ],
            )
          ).map((row) => row.event_id),
        );
        const result: Outcome[] = [];
        // Consecutive new records of one batch handler are handed to it together (records it ignores or
        // has seen do not break the group); any other handled record first ends the group, keeping order.
        let group: { handler: EventHandler; key: symbol; records: HandledRecord[] } | undefined;
        const endGroup = async () => {
          if (group) await this.runBatchHandler(topic, partition, group.handler, group.records, manager);
          group = undefined;
        };
        for (const { message, envelope, handler } of run) {
          // A record seen before, or twice in this run, is a duplicate: only its first delivery applies.
          if (!handler || !envelope) result.push('ignored');
          else if (!fresh.delete(envelope.id)) result.push('duplicate');
          else {
            result.push('processed');
            const key = batchKey(handler);
            if (key) {
              if (group?.key !== key) await endGroup();
              group ??= { handler, key, records: [] };
              group.records.push({ message, envelope });
              continue;
            }
            await endGroup();
            await inSpan(
              `${topic} process`,
              this.consumerSpan(topic, envelope, { 'crm.attempt': 1, 'crm.batch_size': run.length }),
              () =>
                this.runHandler(handler, envelope, manager, {
                  topic,
                  partition,
                  offset: message.offset,
                  attempt: 1,
                }),
            );
          }
        }
        await endGroup();
        return result;
      });
    } catch (error) {
      if (this.closing) throw error;
      this.logger.warn({
        msg: 'a run of records failed together; applying them one by one',
        topic,
        partition,
        records: run.length,
        error: (error as Error).message,
      });
      return { applied: 0, retrySingly: run.length };
    }
    const seconds = (performance.now() - started) / 1000 / run.length;
    run.forEach(({ type }, i) => {
      consumed().inc({ event_type: type, outcome: outcomes[i] });
      if (outcomes[i] === 'processed') handlerSeconds().observe({ event_type: type }, seconds);
    });
    return { applied: run.length, retrySingly: 0 };
  }

  /**
   * `work` in one transaction, within `handlerTimeoutMs`. At the limit the connection is destroyed rather
   * than rolled back: a handler still running (on a query or on anything else) keeps no way to write, and
   * Postgres aborts the transaction when the session ends. Should the limit strike during COMMIT, the
   * retry finds the inbox rows (committed) or not (rolled back): never both.
   */
  private async inLimitedTransaction<T>(
    label: string,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    const runner = this.options.dataSource.createQueryRunner();
    // The wait for a pooled connection is not the handler's time; the limit starts once it has one.
    const connection = (await runner.connect()) as { processID?: number };
    let limit: NodeJS.Timeout | undefined;
    let abandoned = false;
    const transaction = (async (): Promise<T> => {
      await runner.startTransaction();
      const result = await work(runner.manager);
      if (abandoned) throw new HandlerTimeoutError(label, this.handlerTimeoutMs);
      await runner.commitTransaction();
      return result;
    })();
    const timedOut = new Promise<never>((_, reject) => {
      limit = setTimeout(() => {
        abandoned = true;
        reject(new HandlerTimeoutError(label, this.handlerTimeoutMs));
      }, this.handlerTimeoutMs);
    });
    try {
      return await Promise.race([transaction, timedOut]);
    } catch (error) {
      if (abandoned) {
        transaction.catch(() => undefined); // it fails on the destroyed connection, or on the check before COMMIT
        await this.destroyConnection(runner, connection.processID, error as Error);
      } else if (runner.isTransactionActive && !runner.isReleased) {
        await runner.rollbackTransaction().catch(() => undefined);
      }
      throw error;
    } finally {
      clearTimeout(limit);
      if (!runner.isReleased) await runner.release();
    }
  }

  /**
   * Ends the server session (a closed socket alone would leave a running statement to finish first) and
   * destroys the client, which the pool then replaces.
   */
  private async destroyConnection(runner: QueryRunner, pid: number | undefined, error: Error): Promise<void> {
    this.logger.warn({ msg: 'handler over its time limit; ending its session', pid, error: error.message });
    if (pid !== undefined)
      await this.options.dataSource
        .query('SELECT pg_terminate_backend($1)', [pid])
        .catch((cause: Error) =>
          this.logger.warn({ msg: 'could not end the session', pid, error: cause.message }),
        );
    const releasable = runner as unknown as ReleasableWithError;
    if (typeof releasable.releasePostgresConnection !== 'function')
      throw new Error('the TypeORM query runner cannot destroy its connection; is the driver Postgres?');
    await releasable.releasePostgresConnection(error);
  }

  /**
   * Sends a failed record to the dead-letter topic, retrying a bounded number of times with backoff (each
   * failure counted in `crm_dead_letter_failures_total`, which alerts). If the broker still refuses, the
   * error goes up: the partition stops here rather than lose the record, and the consumer retries later.
   */
  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    code: string,
    reason: string,
    attempts: number,
  ): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('transport not started');
    for (let attempt = 1; ; attempt += 1) {
      try {
        await producer.send({
          topic: this.options.deadLetterTopic ?? deadLetterTopic(this.options.consumerGroup),
          acks: -1,
          messages: [
            {
              key: message.key,
              value: message.value,
              headers: {
                ...message.headers,
                dlq_code: code,
                dlq_reason: reason.slice(0, 4000),
                dlq_source_topic: topic,
                dlq_source_partition: String(partition),
                dlq_source_offset: message.offset,
                dlq_consumer_group: this.options.consumerGroup,
                dlq_attempts: String(attempts),
                dlq_failed_at: new Date().toISOString(),
              },
            },
          ],
        });
        return;
      } catch (error) {
        deadLetterFailures().inc({ topic });
        this.logger.error({
          msg: 'could not dead-letter a record',
          topic,
          partition,
          offset: message.offset,
          attempt,
          error: (error as Error).message,
        });
        if (attempt >= DEAD_LETTER_ATTEMPTS || this.closing) throw error;
        await sleep(Math.min(250 * 2 ** (attempt - 1), 4000));
      }
    }
  }

  /** Records committed offsets against the end of each subscribed partition as `crm_consumer_lag`. */
  private async sampleLag(topics: string[]): Promise<void> {
    const admin = this.admin;
    if (!admin) return;
    try {
      const committed = await admin.fetchOffsets({ groupId: this.options.consumerGroup, topics });
      for (const { topic, partitions } of committed) {
        const ends = new Map(
          (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]),
        );
        for (const p of partitions) {
          const end = ends.get(p.partition) ?? 0n;
          // No commit yet: the group starts from the beginning, so everything on the partition is behind.
          const at = p.offset === '-1' ? 0n : BigInt(p.offset);
          consumerLag().set(
            { group: this.options.consumerGroup, topic, partition: String(p.partition) },
            Number(end > at ? end - at : 0n),
          );
        }
      }
    } catch (error) {
      this.logger.warn({ msg: 'consumer lag sample failed', error: (error as Error).message });
    }
  }

  /** Stops fetching, lets the batch in flight finish and commit, then leaves the group. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.lagSampler);
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
    // Let the batches in flight finish their record (they take no new one now), then commit everything
    // processed, while still a member of the group, and leave.
    await Promise.allSettled([...this.batchesInFlight]);
    if (this.consumer && this.processed.size > 0)
      await this.consumer.commitOffsets([...this.processed.values()]).catch((error: Error) =>
        this.logger.warn({
          msg: 'final offset commit failed; the inbox skips what comes again',
          error: error.message,
        }),
      );
    await this.consumer
      ?.disconnect()
      .catch((error: Error) => this.logger.warn({ msg: 'consumer disconnect failed', error: error.message }));
    await this.producer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    this.producer = undefined;
    forgetConsumer(this.options.consumerGroup);
  }

  on(): never {
    throw new Error('KafkaEventTransport does not emit status events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
