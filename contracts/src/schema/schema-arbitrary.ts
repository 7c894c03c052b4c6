import fc from 'fast-check';
import type { JsonSchema } from './json-schema';

/**
 * fast-check arbitraries from the platform's JSON Schemas (test support, not exported by the package):
 * `validValue` makes payloads a schema accepts, `mutatedValue` payloads one step away from valid (a field
 * dropped, nulled or replaced by any JSON value, a string edited), where validators tend to disagree.
 */
export function validValue(schema: JsonSchema, root: JsonSchema = schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) {
    const name = /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name ? root.$defs?.[name] : undefined;
    if (!target) throw new Error(`unresolvable ${schema.$ref}`);
    return validValue(target, root, depth + 1);
  }
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => validValue(s, root, depth + 1)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? -1_000_000_000,
        max: schema.maximum ?? 1_000_000_000,
      });
    case 'number':
      if (schema.multipleOf) {
        const step = schema.multipleOf;
        const min = Math.ceil((schema.minimum ?? -1e9) / step);
        const max = Math.floor((schema.maximum ?? 1e9) / step);
        return fc.integer({ min, max }).map((n) => Number((n * step).toFixed(2)));
      }
      return fc.double({
        min: schema.minimum ?? -1e12,
        max: schema.maximum ?? 1e12,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'string':
      return stringValue(schema);
    case 'array':
      return fc.array(validValue(schema.items ?? {}, root, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties))
        record[name] = validValue(property, root, depth + 1);
      return fc.record(record, { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.jsonValue();
  }
}

function stringValue(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time') {
    return fc
      .date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('2200-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
  }
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return fc.string({ unit: 'binary', minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 40 });
}

type JsonObject = Record<string, unknown>;

/** A valid payload with one edit somewhere in it. */
export function mutatedValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const edit = fc.oneof(
    fc.constant({ kind: 'delete' as const }),
    fc.constant({ kind: 'null' as const }),
    fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'replace' as const, value })),
    fc.string({ unit: 'binary', maxLength: 70 }).map((value) => ({ kind: 'replace' as const, value })),
    fc
      .constantFrom(
        '',
        ' ',
        '2024-02-30T10:00:00Z',
        '2024-05-20',
        '1.005',
        '٣',
        'A'.repeat(65),
        '\uFE0F\uFE0F',
      )
      .map((value) => ({ kind: 'replace' as const, value })),
    fc.double().map((value) => ({ kind: 'replace' as const, value })),
    fc.integer().map((value) => ({ kind: 'appendChar' as const, value })),
  );
  return fc.tuple(validValue(schema), fc.nat(), edit).map(([value, pick, change]) => {
    const copy = structuredClone(value) as JsonObject;
    const slots = slotsOf(copy);
    if (slots.length === 0) return copy;
    const [parent, key] = slots[pick % slots.length];
    if (change.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (change.kind === 'null') {
      (parent as JsonObject)[key] = null;
    } else if (change.kind === 'replace') {
      (parent as JsonObject)[key] = change.value;
    } else {
      const current = (parent as JsonObject)[key];
      (parent as JsonObject)[key] =
        typeof current === 'string' ? current + String.fromCodePoint(change.value & 0xffff) : change.value;
    }
    return copy;
  });
}

function slotsOf(value: unknown): Array<[JsonObject | unknown[], string]> {
  const slots: Array<[JsonObject | unknown[], string]> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        slots.push([node, String(i)]);
        walk(child);
      });
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        slots.push([node as JsonObject, key]);
        walk(child);
      }
    }
  };
  walk(value);
  return slots;
}
