import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CompressionTypes, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { counter, gauge, histogram } from '@crm/observability';
import {
  execute,
  PgNotifications,
  PreparingClient,
  queryOne,
  queryRows,
  type Queryable,
} from '@crm/persistence';
import { createKafka } from './kafka-client';
import { MESSAGING_OPTIONS, PG_NOTIFICATIONS, type MessagingOptions } from './messaging.options';
import { OUTBOX_CHANNEL } from './outbox.publisher';

interface OutboxRow {
  seq: string;
  topic: string;
  message_key: string;
  headers: Record<string, string>;
  /** Null for a tombstone. */
  payload: string | null;
  created_at: Date;
}

const published = () => counter('crm_outbox_published_total', 'Outbox rows published to Kafka', ['topic']);
const relayErrors = () =>
  counter('crm_outbox_relay_errors_total', 'Relay rounds that failed and will be retried');
const lag = () =>
  histogram(
    'crm_outbox_publish_lag_seconds',
    'Commit to Kafka acknowledgement',
    [],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  );
const pending = () => gauge('crm_outbox_pending', 'Outbox rows not yet published (sampled)');
const heldGauge = () =>
  gauge('crm_outbox_relay_held', 'Whether this replica holds its relay (1 while a bulk import runs)');
const oldestPending = () =>
  gauge('crm_outbox_oldest_pending_age_seconds', 'Age of the oldest unpublished outbox row (sampled)');
const parked = () =>
  counter('crm_outbox_parked_total', 'Outbox rows parked because the broker could never take them', [
    'topic',
  ]);

/** Default bytes per relay round (well under the broker's default 1 MiB request and record-batch limit). */
const DEFAULT_BATCH_BYTES = 512 * 1024;
/** Default largest record the broker takes (its `message.max.bytes`, less room for the batch header). */
const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;
/** Server-side TCP keepalives of the relay's connection: a dead peer is noticed, and the lock freed, in ~60 s. */
const RELAY_KEEPALIVES = '-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3';
/** Batches larger than this are sent gzip-compressed. */
const COMPRESS_FROM_BYTES = 16 * 1024;

function recordBytes(row: OutboxRow): number {
  let bytes = Buffer.byteLength(row.payload ?? '') + Buffer.byteLength(row.message_key) + 64;
  for (const [name, value] of Object.entries(row.headers))
    bytes += name.length + Buffer.byteLength(value) + 8;
  return bytes;
}

/**
 * Publishes outbox rows in sequence order. It picks rows that are not yet published (never "after the
 * last id seen", which loses rows committed out of order), sends them, and deletes them (or marks them
 * published, when `relay.retentionHours` keeps a trail).
 * Only the replica holding the schema's advisory lock relays; the others stand by. The lock is a session
 * lock on the relay's own connection, held for as long as that connection lives: a round is then two
 * statements (read, delete) and no transaction, and a replica that dies or loses its connection frees the
 * lock for another at once. Every statement of a round runs on the lock's connection, so a replica that
 * lost the lock can write nothing. A crash between send and delete sends those rows again (at least once;
 * consumers' inboxes drop the repeat), in the same order.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private producer?: Producer;
  private stopListening?: () => void;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Set by a notification that arrived while a round was running, so the next idle returns at once. */
  private signalled = false;
  private readonly batchSize: number;
  private readonly batchBytes: number;
  private readonly maxMessageBytes: number;
  private readonly idlePollMs: number;
  private sampler?: NodeJS.Timeout;
  private readonly lockKey: string;
  private lastCleanup = 0;
  /** Whether the last round stopped at its row or byte budget with rows still waiting. */
  private leftBehind = false;
  /** The relay's own connection (outside the pool), which holds the relay lock while `leading`. */
  private holder?: Client;
  private leading = false;
  /** Holds in force (`hold`): while any is, rounds wait; committed rows stay in the outbox until released. */
  private readonly holds = new Set<symbol>();

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly dataSource: DataSource,
    @Inject(PG_NOTIFICATIONS) private readonly notifications: PgNotifications,
  ) {
    this.batchSize = options.relay?.batchSize ?? 500;
    this.batchBytes = options.relay?.batchBytes ?? DEFAULT_BATCH_BYTES;
    this.maxMessageBytes = options.relay?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.idlePollMs = options.relay?.idlePollMs ?? 30_000;
    this.lockKey = `outbox-relay:${options.schema}`;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.producer = createKafka(this.options.brokers, `${this.options.serviceName}-relay`).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
    await this.listen();
    this.running = true;
    this.loop = this.run();
    // Sampled apart from the relay loop, so the backlog's size and age stay true when the relay is wedged.
    this.sampler = setInterval(() => void this.sampleBacklog(), 15_000);
    this.sampler.unref();
  }

  private async sampleBacklog(): Promise<void> {
    try {
      const row = await queryOne<{ count: number; age: number | null }>(
        this.dataSource,
        `SELECT count(*)::int AS count, extract(epoch FROM now() - min(created_at))::float8 AS age FROM outbox
          WHERE published_at IS NULL AND parked_at IS NULL`,
      );
      pending().set(row?.count ?? 0);
      oldestPending().set(row?.age ?? 0);
    } catch {
      // The database is away; the next sample tries again.
    }
  }

  /** Publishes what is committed, then stops; bounded by timeoutMs. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.sampler);
    this.signal();
    await this.loop;
    const deadline = Date.now() + timeoutMs;
    try {
      while (Date.now() < deadline && (await this.relayOnce()) > 0);
    } catch (error) {
      this.logger.warn({
        msg: 'outbox flush at shutdown failed; rows stay for the next start',
        error: (error as Error).message,
      });
    }
    this.stopListening?.();
    if (this.holder) this.dropConnection(this.holder);
    await this.producer?.disconnect().catch(() => undefined);
  }

  /** Wakes on every commit that wrote to this schema's outbox; after a lost connection, looks anyway. */
  private async listen(): Promise<void> {
    const stop = await this.notifications.listen(OUTBOX_CHANNEL, (payload) => {
      if (payload === this.options.schema) this.signal();
    });
    const stopReconnect = this.notifications.onReconnect(() => this.signal());
    this.stopListening = () => {
      stop();
      stopReconnect();
    };
  }

  /**
   * Holds this replica's relay for at most `maxMs`, until the returned release is called: rows committed
   * meanwhile stay in the outbox and go out afterwards, in order, in full batches. A bulk import takes it:
   * otherwise every consumer downstream competes with the import for the machine, taking its events a few at a
   * time, where held they take them in large batches after it (bench/README.md, "An import that holds its
   * events"). Every event of this service waits while held, live ones too; the limit bounds that wait, and a
   * hold past it ends by itself with a warning. Only this replica's relay is held (with replicas, the one
   * relaying may be another); a round already running when the hold is taken finishes. `maxMs` 0 holds
   * nothing.
   */
  hold(maxMs: number, reason: string): () => void {
    if (maxMs <= 0) return () => undefined;
    const token = Symbol(reason);
    this.holds.add(token);
    heldGauge().set(1);
    const release = () => {
      if (!this.holds.delete(token)) return;
      clearTimeout(limit);
      if (this.holds.size === 0) {
        heldGauge().set(0);
        this.signal();
      }
    };
    const limit = setTimeout(() => {
      this.logger.warn({ msg: 'outbox relay hold ended by its limit; publishing again', reason, maxMs });
      release();
    }, maxMs);
    limit.unref();
    return release;
  }

  /** Whether a hold is in force. */
  get held(): boolean {
    return this.holds.size > 0;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      if (this.holds.size > 0) {
        // Woken by commits, a release or the fallback poll; nothing is read while held.
        await this.idle(this.idlePollMs);
        continue;
      }
      try {
        const sent = await this.relayOnce();
        failures = 0;
        // Keep going while rounds leave rows behind (full by rows or bytes); a round that took everything it
        // found waits for the next notification (one that came meanwhile ends the wait at once).
        if (sent > 0 && this.leftBehind) continue;
        await this.cleanupIfDue();
        await this.idle(this.idlePollMs);
      } catch (error) {
        failures += 1;
        relayErrors().inc();
        this.logger.warn({
          msg: 'outbox relay round failed; retrying',
          error: (error as Error).message,
          failures,
        });
        await this.idle(Math.min(200 * 2 ** failures, 5000));
      }
    }
  }

  private signal(): void {
    this.signalled = true;
    this.wake?.();
  }

  private idle(ms: number): Promise<void> {
    if (this.signalled || !this.running) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.signalled = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /**
   * One round, when this replica holds the relay lock (taking it if free): read a batch in sequence order
   * (at most `batchSize` rows and about `batchBytes`), send with acks=all (gzip when large), delete or mark
   * published. A row larger than the broker could ever take is parked with the reason (metric, log) instead
   * of blocking every row after it.
   */
  async relayOnce(): Promise<number> {
    const producer = this.producer;
    if (!producer) throw new Error('relay not started');
    this.signalled = false;
    this.leftBehind = false;
    const connection = await this.leaderConnection();
    if (!connection) return 0;
    try {
      return await this.round(connection, producer);
    } catch (error) {
      // Whatever failed, the next round starts on a new connection (and takes the lock again, or stands by).
      this.dropConnection(connection);
      throw error;
    }
  }

  /** The lock's connection when this replica relays (taking the lock if free), else undefined. */
  private async leaderConnection(): Promise<Client | undefined> {
    if (!this.holder) {
      // The pool's own settings (search path, session time limits), on a connection the pool does not hand out.
      const options = this.dataSource.options as PostgresConnectionOptions;
      const extra = (options.extra ?? {}) as { options?: string; application_name?: string };
      // Keepalives both ways: a connection dropped silently (a NAT, a partition) must not keep the lock on
      // the server for hours (its default), or no replica could relay until then; here it is about a minute.
      const client = new PreparingClient({
        connectionString: options.url,
        options: [extra.options, RELAY_KEEPALIVES].filter(Boolean).join(' '),
        keepAlive: true,
        application_name: `${extra.application_name ?? this.options.schema}-relay`,
      });
      client.on('error', () => this.dropConnection(client));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.holder = client;
      this.leading = false;
    }
    if (!this.leading) {
      const holder = this.holder;
      try {
        const { rows } = await holder.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
          [this.lockKey],
        );
        this.leading = rows[0]?.locked === true;
      } catch (error) {
        this.dropConnection(holder);
        throw error;
      }
    }
    return this.leading ? this.holder : undefined;
  }

  /** Closes the lock's connection; ending the session frees the lock. */
  private dropConnection(client: Client): void {
    if (this.holder === client) {
      this.holder = undefined;
      this.leading = false;
    }
    client.end().catch(() => undefined);
  }

  /**
   * One round on the lock's connection: read a batch in sequence order (at most `batchSize` rows and about
   * `batchBytes`), send with acks=all (gzip when large), delete or mark published. A row larger than the
   * broker could ever take is parked with the reason (metric, log) instead of blocking every row after it.
   */
  private async round(connection: Client, producer: Producer): Promise<number> {
    const db = {
      query: async (sql: string, parameters?: unknown[]) =>
        (await connection.query(sql, parameters)).rows as unknown[],
    };
    const candidates = await queryRows<OutboxRow>(
      db,
      `SELECT seq, topic, message_key, headers, payload, created_at FROM outbox
        WHERE published_at IS NULL AND parked_at IS NULL ORDER BY seq LIMIT $1`,
      [this.batchSize],
    );
    if (candidates.length === 0) return 0;
    this.leftBehind = candidates.length === this.batchSize;
    const rows: OutboxRow[] = [];
    let bytes = 0;
    for (const row of candidates) {
      const size = recordBytes(row);
      if (size > this.maxMessageBytes) {
        await this.park(db, row, `${size} bytes, more than the ${this.maxMessageBytes} the broker takes`);
        continue;
      }
      if (rows.length > 0 && bytes + size > this.batchBytes) {
        this.leftBehind = true;
        break;
      }
      rows.push(row);
      bytes += size;
    }
    if (rows.length === 0) return 1;
    const byTopic = new Map<
      string,
      { key: string; value: string | null; headers: Record<string, string> }[]
    >();
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.message_key, value: row.payload, headers: row.headers });
      byTopic.set(row.topic, messages);
    }
    await producer.sendBatch({
      acks: -1,
      compression: bytes >= COMPRESS_FROM_BYTES ? CompressionTypes.GZIP : CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    // Sent: deleted, or marked when the operator keeps a trail (a crash before this line sends the rows
    // again, in order; inboxes drop the repeat).
    await execute(
      db,
      this.keepPublished()
        ? 'UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])'
        : 'DELETE FROM outbox WHERE seq = ANY($1::bigint[])',
      [rows.map((r) => r.seq)],
    );
    const now = Date.now();
    for (const row of rows) {
      published().inc({ topic: row.topic });
      lag().observe((now - new Date(row.created_at).getTime()) / 1000);
    }
    return rows.length;
  }

  /** Whether sent rows stay in the outbox, marked published (`relay.retentionHours` above 0). */
  private keepPublished(): boolean {
    return (this.options.relay?.retentionHours ?? 0) > 0;
  }

  private async park(manager: Queryable, row: OutboxRow, reason: string): Promise<void> {
    await execute(manager, 'UPDATE outbox SET parked_at = now(), park_reason = $2 WHERE seq = $1', [
      row.seq,
      reason,
    ]);
    parked().inc({ topic: row.topic });
    this.logger.error({
      msg: 'outbox row parked: the broker cannot take it; it is kept in the outbox with the reason',
      seq: row.seq,
      topic: row.topic,
      eventId: row.headers.ce_id,
      eventType: row.headers.ce_type,
      reason,
    });
  }

  private async cleanupIfDue(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    // Also when rows are deleted as sent: a trail kept before (another setting, an older version) goes.
    const hours = this.options.relay?.retentionHours ?? 0;
    await execute(
      this.dataSource,
      `DELETE FROM outbox WHERE published_at < now() - make_interval(hours => $1)`,
      [hours],
    );
    const inboxDays = this.options.relay?.inboxRetentionDays ?? 35;
    await execute(
      this.dataSource,
      `DELETE FROM inbox WHERE processed_at < now() - make_interval(days => $1)`,
      [inboxDays],
    );
    await this.sampleBacklog();
  }

  private async pendingCount(): Promise<number> {
    const row = await queryOne<{ count: number }>(
      this.dataSource,
      'SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL AND parked_at IS NULL',
    );
    return row?.count ?? 0;
  }

  /** For tests and benchmarks: waits until every committed row is published. */
  async drained(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.pendingCount()) === 0) return;
      await sleep(50);
    }
    throw new Error('outbox not drained in time');
  }
}
