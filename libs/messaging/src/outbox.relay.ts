import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { counter, gauge, histogram } from '@crm/observability';
import { execute, queryOne, queryRows } from '@crm/persistence';
import { createKafka } from './kafka-client';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OUTBOX_CHANNEL } from './outbox.publisher';

interface OutboxRow {
  seq: string;
  topic: string;
  message_key: string;
  headers: Record<string, string>;
  payload: string;
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

/**
 * Publishes outbox rows in sequence order. It picks rows that are not yet published (never "after the
 * last id seen", which loses rows committed out of order) and marks them in the same transaction.
 * Only the replica holding the schema's advisory lock relays; the others stand by.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private producer?: Producer;
  private listener?: Client;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Set by a notification that arrived while a round was running, so the next idle returns at once. */
  private signalled = false;
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private readonly lockKey: string;
  private lastCleanup = 0;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly dataSource: DataSource,
  ) {
    this.batchSize = options.relay?.batchSize ?? 500;
    this.idlePollMs = options.relay?.idlePollMs ?? 1000;
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
  }

  /** Publishes what is committed, then stops; bounded by timeoutMs. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
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
    await this.listener?.end().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    this.listener = new Client({ connectionString: this.options.databaseUrl });
    this.listener.on('notification', (message) => {
      if (message.payload === this.options.schema) this.signal();
    });
    this.listener.on('error', (error) =>
      this.logger.warn({ msg: 'outbox listener connection lost; polling', error: error.message }),
    );
    await this.listener.connect();
    await this.listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const sent = await this.relayOnce();
        failures = 0;
        if (sent >= this.batchSize) continue;
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

  /** One round: lock, read a batch in sequence order, send with acks=all, mark published, commit. */
  async relayOnce(): Promise<number> {
    const producer = this.producer;
    if (!producer) throw new Error('relay not started');
    this.signalled = false;
    return this.dataSource.transaction(async (manager) => {
      const lock = await queryOne<{ locked: boolean }>(
        manager,
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
        [this.lockKey],
      );
      if (!lock?.locked) return 0;
      const rows = await queryRows<OutboxRow>(
        manager,
        `SELECT seq, topic, message_key, headers, payload, created_at FROM outbox
          WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
      for (const row of rows) {
        const messages = byTopic.get(row.topic) ?? [];
        messages.push({ key: row.message_key, value: row.payload, headers: row.headers });
        byTopic.set(row.topic, messages);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      await execute(manager, 'UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])', [
        rows.map((r) => r.seq),
      ]);
      const now = Date.now();
      for (const row of rows) {
        published().inc({ topic: row.topic });
        lag().observe((now - new Date(row.created_at).getTime()) / 1000);
      }
      return rows.length;
    });
  }

  private async cleanupIfDue(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    const hours = this.options.relay?.retentionHours ?? 72;
    await execute(
      this.dataSource,
      `DELETE FROM outbox WHERE published_at < now() - make_interval(hours => $1)`,
      [hours],
    );
    pending().set(await this.pendingCount());
  }

  private async pendingCount(): Promise<number> {
    const row = await queryOne<{ count: number }>(
      this.dataSource,
      'SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL',
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
