import type { JsonSchema } from './json-schema';

/**
 * The compatibility gate. Within one version of an event type, a change must let every consumer keep
 * working: one built against the old schema reading new events, and one built against the new schema
 * replaying old events. Allowed: a new optional field, a new enum value (consumers must tolerate values
 * they do not know), documentation. Everything else is a new version (`.v2`) published beside the old one.
 */
export interface Incompatibility {
  /** The field, as a dotted path from the payload root (`items[].sku`), or `(payload)`. */
  field: string;
  reason: string;
}

export function compareSchemas(previous: JsonSchema, next: JsonSchema): Incompatibility[] {
  const found: Incompatibility[] = [];
  compareNode(previous, next, previous, next, '', found, new Set());
  return found;
}

/** One line per incompatibility, for test failures and the CLI. */
export function describeIncompatibilities(type: string, found: Incompatibility[]): string {
  return found.map((f) => `${type}: ${f.field || '(payload)'}: ${f.reason}`).join('\n');
}

function resolve(node: JsonSchema, root: JsonSchema): JsonSchema {
  let current = node;
  for (let hops = 0; current.$ref; hops++) {
    if (hops > 32) throw new Error(`$ref cycle at ${node.$ref}`);
    const ref = current.$ref;
    const match = /^#\/\$defs\/(.+)$/.exec(ref);
    const target = match ? root.$defs?.[match[1]] : undefined;
    if (!target) throw new Error(`unresolvable $ref ${ref}`);
    current = target;
  }
  return current;
}

/** `{ anyOf: [X, { type: 'null' }] }` is how an optional (nullable) field is written. */
function unwrapNullable(node: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (node.anyOf && node.anyOf.length === 2 && node.anyOf[1].type === 'null') {
    return { schema: node.anyOf[0], nullable: true };
  }
  return { schema: node, nullable: false };
}

const CONSTRAINTS = [
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'const',
] as const;

function compareNode(
  previousNode: JsonSchema,
  nextNode: JsonSchema,
  previousRoot: JsonSchema,
  nextRoot: JsonSchema,
  path: string,
  found: Incompatibility[],
  visiting: Set<string>,
): void {
  const cycleKey = `${path}|${previousNode.$ref ?? ''}|${nextNode.$ref ?? ''}`;
  if (visiting.has(cycleKey)) return;
  visiting.add(cycleKey);
  const previous = resolve(previousNode, previousRoot);
  const next = resolve(nextNode, nextRoot);

  if (previous.type !== next.type) {
    found.push({
      field: path,
      reason: `type changed from ${previous.type ?? 'any'} to ${next.type ?? 'any'}`,
    });
    return;
  }
  for (const keyword of CONSTRAINTS) {
    const before = previous[keyword];
    const after = next[keyword];
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      found.push({
        field: path,
        reason: `${keyword} changed from ${show(before)} to ${show(after)} (events valid under one are not under the other)`,
      });
    }
  }
  if (previous.enum || next.enum) {
    if (!previous.enum || !next.enum) {
      found.push({ field: path, reason: next.enum ? 'restricted to an enum' : 'enum removed' });
    } else {
      const removed = previous.enum.filter((v) => !next.enum!.some((w) => w === v));
      if (removed.length > 0) {
        found.push({ field: path, reason: `enum narrowed: ${removed.map(show).join(', ')} removed` });
      }
    }
  }
  if (previous.items || next.items) {
    if (!previous.items || !next.items)
      found.push({ field: `${path}[]`, reason: 'item schema added or removed' });
    else compareNode(previous.items, next.items, previousRoot, nextRoot, `${path}[]`, found, visiting);
  }
  if (previous.type === 'object')
    compareObjects(previous, next, previousRoot, nextRoot, path, found, visiting);
}

function compareObjects(
  previous: JsonSchema,
  next: JsonSchema,
  previousRoot: JsonSchema,
  nextRoot: JsonSchema,
  path: string,
  found: Incompatibility[],
  visiting: Set<string>,
): void {
  const previousProperties = previous.properties ?? {};
  const nextProperties = next.properties ?? {};
  const previousRequired = new Set(previous.required ?? []);
  const nextRequired = new Set(next.required ?? []);
  for (const [name, before] of Object.entries(previousProperties)) {
    const field = path ? `${path}.${name}` : name;
    const after = nextProperties[name];
    if (!after) {
      found.push({
        field,
        reason: 'field removed (a rename is a removal plus a new field): consumers reading it would break',
      });
      continue;
    }
    if (previousRequired.has(name) && !nextRequired.has(name)) {
      found.push({ field, reason: 'required field became optional: consumers relying on it would break' });
    }
    if (!previousRequired.has(name) && nextRequired.has(name)) {
      found.push({
        field,
        reason: 'optional field became required: earlier events without it would be rejected',
      });
    }
    const a = unwrapNullable(before);
    const b = unwrapNullable(after);
    if (a.nullable !== b.nullable) {
      found.push({ field, reason: b.nullable ? 'field became nullable' : 'field is no longer nullable' });
    }
    compareNode(a.schema, b.schema, previousRoot, nextRoot, field, found, visiting);
  }
  for (const name of Object.keys(nextProperties)) {
    if (!previousProperties[name] && nextRequired.has(name)) {
      found.push({
        field: path ? `${path}.${name}` : name,
        reason: 'new required field: earlier events without it would be rejected (add it as optional)',
      });
    }
  }
}

function show(value: unknown): string {
  return value === undefined ? 'none' : JSON.stringify(value);
}
