import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventDefinition } from '../envelope/event-definition';
import { EVENT_CATALOG } from '../registry';
import { compareSchemas, describeIncompatibilities, type Incompatibility } from './compatibility';
import { eventJsonSchema, type JsonSchema } from './json-schema';

/**
 * The published contracts in `docs/contracts/`: `asyncapi.yaml` and one JSON Schema per event type and
 * version in `schemas/`. The committed schemas are also the compatibility gate's snapshots: a change to a
 * contract class is published only if it is compatible with its snapshot.
 */
export const PUBLISHED_DIR = 'docs/contracts';
export const SCHEMAS_DIR = `${PUBLISHED_DIR}/schemas`;

export interface GateFinding {
  type: string;
  problem: 'incompatible' | 'unpublished' | 'stale' | 'withdrawn';
  message: string;
  incompatibilities?: Incompatibility[];
}

export function schemaFile(root: string, type: string): string {
  return join(root, SCHEMAS_DIR, `${type}.json`);
}

export function readSnapshot(root: string, type: string): JsonSchema | undefined {
  const file = schemaFile(root, type);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JsonSchema) : undefined;
}

function publishedTypes(root: string): string[] {
  const dir = join(root, SCHEMAS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length));
}

/** Serialises a schema the way it is committed (stable, diff-friendly). */
export function serialiseSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * Checks every event type against its committed snapshot: `incompatible` (the change breaks consumers;
 * make it a new version), `unpublished` (a new type whose schema is not committed yet), `stale` (a compatible
 * change not yet published), `withdrawn` (a published type that left the catalog before its sunset).
 */
export function checkContracts(
  root: string,
  definitions: readonly EventDefinition[] = EVENT_CATALOG,
  today = new Date().toISOString().slice(0, 10),
): GateFinding[] {
  const findings: GateFinding[] = [];
  for (const definition of definitions) {
    const generated = eventJsonSchema(definition);
    const snapshot = readSnapshot(root, definition.type);
    if (!snapshot) {
      findings.push({
        type: definition.type,
        problem: 'unpublished',
        message: `${definition.type}: no committed schema in ${SCHEMAS_DIR}; run \`npm run docs:contracts\``,
      });
      continue;
    }
    const incompatibilities = compareSchemas(snapshot, generated);
    if (incompatibilities.length > 0) {
      findings.push({
        type: definition.type,
        problem: 'incompatible',
        incompatibilities,
        message:
          `${describeIncompatibilities(definition.type, incompatibilities)}\n` +
          `A change like this is a new version: add ${nextVersion(definition.type)} beside ${definition.type} ` +
          `and deprecate the old one (docs/building-on-events.md, "Versioning").`,
      });
    } else if (serialiseSchema(snapshot) !== serialiseSchema(generated)) {
      findings.push({
        type: definition.type,
        problem: 'stale',
        message: `${definition.type}: compatible change not yet published; run \`npm run docs:contracts\``,
      });
    }
  }
  const current = new Set(definitions.map((d) => d.type));
  for (const type of publishedTypes(root)) {
    if (current.has(type)) continue;
    findings.push({
      type,
      problem: 'withdrawn',
      message:
        `${type} is published (${SCHEMAS_DIR}) but no longer in the catalog. A version is published until ` +
        `the sunset its deprecation announced; after that day (today is ${today}) delete its schema with it.`,
    });
  }
  return findings;
}

function nextVersion(type: string): string {
  return type.replace(/\.v(\d+)$/, (_, n: string) => `.v${Number(n) + 1}`);
}

/**
 * Writes the schemas (refusing incompatible changes) and returns the paths written. The AsyncAPI document
 * is written by the caller (`tools/contracts.mjs`), which renders YAML.
 */
export function publishSchemas(
  root: string,
  definitions: readonly EventDefinition[] = EVENT_CATALOG,
): string[] {
  const blocking = checkContracts(root, definitions).filter(
    (f) => f.problem === 'incompatible' || f.problem === 'withdrawn',
  );
  if (blocking.length > 0) throw new Error(blocking.map((f) => f.message).join('\n\n'));
  mkdirSync(join(root, SCHEMAS_DIR), { recursive: true });
  const written: string[] = [];
  for (const definition of definitions) {
    const file = schemaFile(root, definition.type);
    const text = serialiseSchema(eventJsonSchema(definition));
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      writeFileSync(file, text);
      written.push(file);
    }
  }
  return written;
}
