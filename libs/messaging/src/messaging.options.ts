export interface MessagingOptions {
  /** The service name; `ce_source` is `/crm/<serviceName>`. */
  serviceName: string;
  brokers: string;
  /** The Postgres schema holding this service's outbox and inbox. */
  schema: string;
  /** Connection string for the process's one LISTEN connection (`PG_NOTIFICATIONS`). */
  databaseUrl: string;
  relay?: {
    enabled?: boolean;
    batchSize?: number;
    /** The longest wait when no notification arrives (default 30 s); commits wake the relay at once. */
    idlePollMs?: number;
    /** About this many bytes per round at most (one row always goes); default 512 KiB. */
    batchBytes?: number;
    /** A row larger than this is parked, never sent (the broker's `message.max.bytes`); default 1,000,000. */
    maxMessageBytes?: number;
    /**
     * How long a published row stays in the outbox, marked published: a trail of what was sent. 0 (the
     * default) deletes each row as soon as the broker has it, which costs Postgres a twentieth of the mark
     * (about 0.7 against 13.7 µs a row) and keeps the table as small as its backlog.
     */
    retentionHours?: number;
    /**
     * Inbox rows older than this are deleted: longer than the topics' retention (30 days), so a record still
     * on a topic is always recognised; default 35.
     */
    inboxRetentionDays?: number;
  };
  /** Create catalog and dead-letter topics at start (local runs; Strimzi owns them in Kubernetes). */
  createTopics?: boolean;
  topicPartitions?: number;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/** The process's shared `PgNotifications` (one LISTEN connection), for anything that wakes on work. */
export const PG_NOTIFICATIONS = Symbol('PG_NOTIFICATIONS');
