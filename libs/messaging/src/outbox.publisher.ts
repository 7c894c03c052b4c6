import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { toWireHeaders, validatePayload, type EventDefinition, type EventMetadata } from '@crm/contracts';
import { currentTraceHeaders, inSpan, SpanKind } from '@crm/observability';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';

export const OUTBOX_CHANNEL = 'crm_outbox';

export interface PublishMetadata {
  /** The customer id: `ce_subject` and the Kafka key. */
  subject: string;
  correlationId: string;
  causationId?: string;
  /** When the fact happened; defaults to now. */
  time?: Date;
}

/** A written outbox row, returned so callers can log or return the event id. */
export interface PublishedEvent {
  id: string;
  type: string;
}

/**
 * Writes events into the outbox inside the caller's transaction: the state change and the event commit
 * together or not at all. The relay sends them to Kafka afterwards.
 */
@Injectable()
export class OutboxPublisher {
  private readonly source: string;

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {
    this.source = `/crm/${options.serviceName}`;
  }

  async publish<T extends object>(
    manager: EntityManager,
    definition: EventDefinition<T>,
    payload: T,
    meta: PublishMetadata,
  ): Promise<PublishedEvent> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(
        `publishing ${definition.type} needs an active transaction (use dataSource.transaction)`,
      );
    }
    // Never emit what consumers would reject.
    validatePayload(definition, payload);
    const id = randomUUID();
    return inSpan(
      `${definition.topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': definition.topic,
          'messaging.message.id': id,
          'crm.event_type': definition.type,
        },
      },
      async () => {
        const metadata: EventMetadata = {
          id,
          type: definition.type,
          source: this.source,
          time: (meta.time ?? new Date()).toISOString(),
          subject: meta.subject,
          correlationId: meta.correlationId,
          causationId: meta.causationId,
          ...currentTraceHeaders(),
        };
        // Serialises writers per key, so the outbox sequence of one customer follows commit order.
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`outbox:${meta.subject}`]);
        await manager.query(
          `INSERT INTO outbox (event_id, topic, message_key, event_type, headers, payload) VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            id,
            definition.topic,
            meta.subject,
            definition.type,
            JSON.stringify(toWireHeaders(metadata)),
            JSON.stringify(payload),
          ],
        );
        await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, this.options.schema]);
        return { id, type: definition.type };
      },
    );
  }
}
