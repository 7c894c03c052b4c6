import type { EventDefinition } from '../envelope/event-definition';
import { EVENT_CATALOG } from '../registry';
import { TOPIC_CATALOG } from '../topics';
import { CONTRACTS_VERSION } from './asyncapi';
import { eventJsonSchema, type JsonSchema } from './json-schema';

/**
 * The TypeScript module of the client library (`libs/customer-events/src/generated/contracts.ts`): payload
 * interfaces, the schemas and topics per event type, rendered from the JSON Schemas so that product teams
 * get the platform's types without depending on its code. `npm run docs:contracts` writes it; a test fails
 * when it is out of date.
 */
export const CLIENT_CONTRACTS_FILE = 'libs/customer-events/src/generated/contracts.ts';

function typeOf(schema: JsonSchema): string {
  if (schema.$ref) return schema.$ref.replace(/^#\/\$defs\//, '');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const item = typeOf(schema.items ?? {});
      return item.includes(' ') ? `Array<${item}>` : `${item}[]`;
    }
    case 'object':
      return 'Record<string, unknown>';
    default:
      return 'unknown';
  }
}

function interfaceOf(name: string, schema: JsonSchema, description?: string): string {
  const required = new Set(schema.required ?? []);
  const lines = Object.entries(schema.properties ?? {}).map(([property, value]) => {
    const optional = !required.has(property);
    return `  ${property}${optional ? '?' : ''}: ${typeOf(value)};`;
  });
  const doc = description ? `/** ${description} */\n` : '';
  return `${doc}export interface ${name} {\n${lines.join('\n')}\n}`;
}

export function renderClientContracts(definitions: readonly EventDefinition[] = EVENT_CATALOG): string {
  const interfaces = new Map<string, string>();
  const schemas: Record<string, JsonSchema> = {};
  for (const definition of definitions) {
    const schema = eventJsonSchema(definition);
    schemas[definition.type] = schema;
    for (const [name, nested] of Object.entries(schema.$defs ?? {}))
      interfaces.set(name, interfaceOf(name, nested));
    interfaces.set(
      definition.payload.name,
      interfaceOf(definition.payload.name, schema, `\`${definition.type}\`: ${definition.description}`),
    );
  }
  const topics = TOPIC_CATALOG.filter((t) => definitions.some((d) => d.topic === t.name));
  return [
    '// Generated from contracts/ by `npm run docs:contracts`; a test fails when it is out of date. Do not edit.',
    '',
    "import type { CustomerEvent } from '../decode';",
    '',
    `export const CONTRACTS_VERSION = '${CONTRACTS_VERSION}';`,
    '',
    ...[...interfaces.values()].map((text) => `${text}\n`),
    '/** The payload type of each event type. */',
    'export interface EventPayloads {',
    ...definitions.map((d) => `  '${d.type}': ${d.payload.name};`),
    '}',
    '',
    'export type EventType = keyof EventPayloads;',
    '',
    `export const EVENT_TYPES: readonly EventType[] = ${JSON.stringify(definitions.map((d) => d.type))};`,
    '',
    '/** The topic each event type is published on. */',
    `export const EVENT_TOPICS: { readonly [T in EventType]: string } = ${JSON.stringify(
      Object.fromEntries(definitions.map((d) => [d.type, d.topic])),
    )};`,
    '',
    '/** Every topic, its key field and cleanup policy (`compact`: the newest record per key is kept). */',
    `export const TOPICS: ReadonlyArray<{ name: string; key: string; cleanupPolicy: 'delete' | 'compact'; partitions: number }> = ${JSON.stringify(
      topics.map((t) => ({
        name: t.name,
        key: t.key,
        cleanupPolicy: t.cleanupPolicy,
        partitions: t.partitions,
      })),
    )};`,
    '',
    '/** A type guard per event type: `if (isSegmentChangedV1(event)) event.data.segment`. */',
    ...definitions.map(
      (d) =>
        `export const is${d.payload.name} = (event: CustomerEvent): event is CustomerEvent<'${d.type}'> => event.type === '${d.type}';`,
    ),
    '',
    '/** The JSON Schema (2020-12) of each event type, as published in docs/contracts/schemas. */',
    `export const EVENT_SCHEMAS: { readonly [T in EventType]: Record<string, unknown> } = ${JSON.stringify(schemas)};`,
    '',
  ].join('\n');
}
