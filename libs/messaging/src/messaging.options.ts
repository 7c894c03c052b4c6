export interface MessagingOptions {
  /** The service name; `ce_source` is `/crm/<serviceName>`. */
  serviceName: string;
  brokers: string;
  /** The Postgres schema holding this service's outbox and inbox. */
  schema: string;
  /** Connection string for the relay's LISTEN connection. */
  databaseUrl: string;
  relay?: {
    enabled?: boolean;
    batchSize?: number;
    /** Fallback poll when no notification arrives. */
    idlePollMs?: number;
    /** Published rows older than this are deleted. */
    retentionHours?: number;
  };
  /** Create catalog and dead-letter topics at start (local runs; Strimzi owns them in Kubernetes). */
  createTopics?: boolean;
  topicPartitions?: number;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
