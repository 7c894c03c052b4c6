import { CE_SPEC_VERSION, EnvelopeHeaders, toWireHeaders } from '../envelope/cloud-event';
import type { EventDefinition } from '../envelope/event-definition';
import { EVENT_CATALOG } from '../registry';
import { TOPIC_CATALOG, type TopicSpec } from '../topics';
import { classSchema, UUID_PATTERN, type JsonSchema } from './json-schema';

/** The version of the published contract document; bump the minor on additions, the major never (see the guide). */
export const CONTRACTS_VERSION = '1.1.0';

const KAFKA_BINDING_VERSION = '0.5.0';
const COMPONENT_SCHEMAS = '#/components/schemas/';

type Json = Record<string, unknown>;

/** The CloudEvents Kafka-binding headers (binary content mode) every record carries. */
function headersSchema(): JsonSchema & { properties: Record<string, JsonSchema> } {
  const text = (description: string): JsonSchema => ({ type: 'string', description });
  return {
    type: 'object',
    properties: {
      [EnvelopeHeaders.id]: text('Unique per event; consumers deduplicate on it (the idempotency key).'),
      [EnvelopeHeaders.type]: text('The versioned event type, e.g. crm.purchase.recorded.v1.'),
      [EnvelopeHeaders.source]: text('The producing service, /crm/<service>.'),
      [EnvelopeHeaders.time]: { type: 'string', format: 'date-time', description: 'When the fact happened.' },
      [EnvelopeHeaders.specVersion]: {
        type: 'string',
        const: CE_SPEC_VERSION,
        description: 'CloudEvents 1.0.',
      },
      [EnvelopeHeaders.subject]: text('The customer id (the segment id on crm.segments.v1); equals the key.'),
      [EnvelopeHeaders.contentType]: { type: 'string', const: 'application/json' },
      [EnvelopeHeaders.correlationId]: text('Ties together every event caused by one originating request.'),
      [EnvelopeHeaders.causationId]: text('The event (or request) that directly caused this one.'),
      [EnvelopeHeaders.traceparent]: text('W3C trace context.'),
      [EnvelopeHeaders.tracestate]: text('W3C trace context.'),
      [EnvelopeHeaders.historical]: {
        type: 'string',
        const: 'true',
        description:
          'Present on a past fact arriving now (an import, a backfill) and on everything it caused: update state from it, trigger nothing customer-facing.',
      },
    },
    required: [
      EnvelopeHeaders.id,
      EnvelopeHeaders.type,
      EnvelopeHeaders.source,
      EnvelopeHeaders.time,
      EnvelopeHeaders.specVersion,
      EnvelopeHeaders.subject,
      EnvelopeHeaders.contentType,
      EnvelopeHeaders.correlationId,
    ],
  };
}

function keyOf(definition: EventDefinition, topic: TopicSpec): string {
  const key = (definition.fixture as Record<string, unknown>)[topic.key];
  if (typeof key !== 'string') throw new Error(`${definition.type}: the fixture has no ${topic.key}`);
  return key;
}

function message(definition: EventDefinition, topic: TopicSpec, schemas: Record<string, JsonSchema>): Json {
  const payloadName = definition.payload.name;
  schemas[payloadName] = classSchema(definition.payload as new () => object, schemas, COMPONENT_SCHEMAS);
  const headers = headersSchema();
  headers.properties[EnvelopeHeaders.type] = { type: 'string', const: definition.type };
  headers.properties[EnvelopeHeaders.source] = { type: 'string', const: `/crm/${topic.owner}` };
  const key = keyOf(definition, topic);
  return {
    name: payloadName,
    title: definition.type,
    summary: definition.description,
    contentType: 'application/json',
    description:
      `The payload's JSON Schema (2020-12): docs/contracts/schemas/${definition.type}.json, served by every ` +
      `service at /docs/schemas/${definition.type}.json.` +
      (definition.deprecated
        ? ` Deprecated since ${definition.deprecated.since}: use ${definition.deprecated.replacedBy}; ` +
          `published until ${definition.deprecated.sunset}.`
        : ''),
    headers,
    payload: { $ref: `${COMPONENT_SCHEMAS}${payloadName}` },
    correlationId: { location: `$message.header#/${EnvelopeHeaders.correlationId}` },
    bindings: {
      kafka: {
        key: topic.key === 'customerId' ? { type: 'string', pattern: UUID_PATTERN } : { type: 'string' },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    examples: [
      {
        name: 'fixture',
        summary: `A ${definition.type} record; its Kafka key is ${key}.`,
        headers: toWireHeaders({
          id: '0b7c0f7e-64d2-4a49-8d1a-7a2f1f6f3a10',
          type: definition.type,
          source: `/crm/${topic.owner}`,
          time: '2024-05-20T09:30:00.000Z',
          subject: key,
          correlationId: '5d0c4f7e-2b1a-4c8e-9f3d-6a7b8c9d0e1f',
        }),
        payload: definition.fixture,
      },
    ],
  };
}

/** The AsyncAPI 3.0 document of every topic and event type, generated from the contracts. */
export function renderAsyncApi(definitions: readonly EventDefinition[] = EVENT_CATALOG): Json {
  const schemas: Record<string, JsonSchema> = {};
  const messages: Record<string, Json> = {};
  const channels: Record<string, Json> = {};
  const operations: Record<string, Json> = {};
  for (const topic of TOPIC_CATALOG) {
    const events = definitions.filter((d) => d.topic === topic.name);
    if (events.length === 0) continue;
    for (const definition of events) messages[definition.type] = message(definition, topic, schemas);
    channels[topic.name] = {
      address: topic.name,
      title: topic.name,
      description: `${topic.description}. Owned by ${topic.owner}; keyed by ${topic.key}.`,
      messages: Object.fromEntries(events.map((d) => [d.type, { $ref: `#/components/messages/${d.type}` }])),
      bindings: {
        kafka: {
          topic: topic.name,
          partitions: topic.partitions,
          topicConfiguration: {
            'cleanup.policy': [topic.cleanupPolicy],
            'retention.ms': topic.retentionMs,
          },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };
    operations[`publish.${topic.name}`] = {
      action: 'send',
      title: `${topic.owner} publishes to ${topic.name}`,
      channel: { $ref: `#/channels/${topic.name}` },
      messages: events.map((d) => ({ $ref: `#/channels/${topic.name}/messages/${d.type}` })),
    };
  }
  return {
    asyncapi: '3.0.0',
    id: 'urn:crm:platform:events',
    info: {
      title: 'CRM platform customer events',
      version: CONTRACTS_VERSION,
      description:
        'Every event the platform publishes on Kafka, as CloudEvents 1.0 in binary content mode: attributes ' +
        'in ce_* headers, the JSON payload as the value, the customer id as the key. Read ' +
        'docs/building-on-events.md for ordering, idempotency, dead letters, versioning and deprecation.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: 'localhost:9092',
        protocol: 'kafka',
        description: 'The broker `npm start` runs (plaintext, local only).',
      },
      production: {
        host: '{bootstrap}',
        protocol: 'kafka-secure',
        description: 'A deployment: TLS and SASL/SCRAM, one principal per consumer (see the Helm chart).',
        variables: { bootstrap: { default: 'kafka-bootstrap:9093' } },
        security: [{ $ref: '#/components/securitySchemes/scram' }],
      },
    },
    channels,
    operations,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      messages,
      securitySchemes: { scram: { type: 'scramSha512', description: 'SASL/SCRAM-SHA-512 over TLS.' } },
    },
  };
}
