import { Client } from 'pg';

type Log = (level: 'warn' | 'log', message: string, extra?: Record<string, unknown>) => void;

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * One Postgres LISTEN connection per process, shared by everything that wakes on work (the outbox relay,
 * durable timers, dispatchers) instead of polling. Notifications sent inside a transaction arrive at its
 * commit. The connection comes back by itself after a loss (backoff to 30 s); since notifications sent
 * meanwhile are gone, every `onReconnect` callback runs then, so waiters look for work themselves.
 */
export class PgNotifications {
  private client?: Client;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly reconnected = new Set<() => void>();
  private closed = false;
  private connecting?: Promise<void>;
  private retry?: NodeJS.Timeout;
  private failures = 0;
  /**
   * The connection's commands, one after another: node-pg queues a query sent while another runs, but that is
   * deprecated and goes in pg 9 (several waiters start listening at once when a service boots).
   */
  private commands: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Log = () => {},
  ) {}

  /** Calls `handler` with each notification's payload on `channel`; answers a function that stops it. */
  async listen(channel: string, handler: (payload: string) => void): Promise<() => void> {
    if (!CHANNEL.test(channel)) throw new Error(`"${channel}" is not a valid notification channel name`);
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      if (this.client) await this.command(this.client, `LISTEN ${channel}`).catch(() => this.lost());
      else await this.connect();
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Sends `sql` on `client` once the commands sent before it have finished. */
  private command(client: Client, sql: string): Promise<unknown> {
    const sent = this.commands.then(() => client.query(sql));
    this.commands = sent.catch(() => undefined);
    return sent;
  }

  /** Runs after the connection came back (and notifications may have been missed). */
  onReconnect(callback: () => void): () => void {
    this.reconnected.add(callback);
    return () => this.reconnected.delete(callback);
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new Client({
        connectionString: this.databaseUrl,
        application_name: 'crm-notifications',
      });
      client.on('notification', (message) => {
        for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
      });
      client.on('error', (error) => {
        this.log('warn', 'notification connection lost; reconnecting', { error: error.message });
        this.lost();
      });
      client.on('end', () => this.lost());
      try {
        await client.connect();
        for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.client = client;
      const wasDown = this.failures > 0;
      this.failures = 0;
      if (wasDown) {
        this.log('log', 'notification connection back');
        for (const callback of this.reconnected) callback();
      }
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private lost(): void {
    if (this.closed) return;
    const client = this.client;
    this.client = undefined;
    if (client) void client.end().catch(() => undefined);
    if (this.retry || this.connecting) return;
    this.failures += 1;
    const delay = Math.min(250 * 2 ** Math.min(this.failures, 7), 30_000);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().catch((error: Error) => {
        this.log('warn', 'notification connection still down', { error: error.message, retryInMs: delay });
        this.lost();
      });
    }, delay);
    this.retry.unref();
  }

  /** Nest calls this on shutdown, after the services using it have stopped. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
