import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';
import { MULTIPLE_OF_PRECISION } from '../events/common';
import { eventJsonSchema } from '../schema/json-schema';
import type { EventDefinition } from './event-definition';

type PayloadClass = new () => object;

/**
 * What class-transformer and class-validator make of an accepted payload: an instance of the contract class
 * holding only the properties the class declares rules for (`whitelist`), nested contract classes as
 * instances of theirs, every other value as it came.
 */
interface Shape {
  cls: PayloadClass;
  properties: { name: string; nested?: Shape }[];
}

/** An event type's compiled check and the shape of what it answers; undefined where none could be built. */
export interface CompiledPayload {
  accepts: ValidateFunction;
  instantiate: (plain: object) => object;
}

/**
 * The same rules as the contract classes, compiled: Ajv runs the JSON Schema generated from the classes'
 * decorators (`schema/json-schema.ts`, whose generation refuses any decorator without an exact equivalent).
 * Regular expressions are JavaScript's as class-validator runs them (no `u` flag), and NaN and Infinity are
 * not numbers, as `@IsNumber()` says. A payload it accepts is built as class-transformer would build it; a
 * payload it rejects goes to class-validator, which decides and words the error, so the compiled check only
 * ever takes the fast way for what class-validator accepts too (`compiled-validation.spec.ts` checks that on
 * generated payloads of every event type).
 */
const ajv = new Ajv2020({
  strict: true,
  strictNumbers: true,
  unicodeRegExp: false,
  multipleOfPrecision: MULTIPLE_OF_PRECISION,
});
addFormats(ajv);

const compiled = new WeakMap<EventDefinition, CompiledPayload | null>();

/** The compiled check of a definition, built on first use; null when its classes have no exact schema. */
export function compiledPayload(definition: EventDefinition): CompiledPayload | null {
  let entry = compiled.get(definition);
  if (entry === undefined) {
    entry = compile(definition);
    compiled.set(definition, entry);
  }
  return entry;
}

function compile(definition: EventDefinition): CompiledPayload | null {
  try {
    // Without its $id, so two definitions of one type (tests, a new version being rolled out) both compile.
    const { $id: _id, examples: _examples, ...schema } = eventJsonSchema(definition);
    const accepts = ajv.compile(schema);
    const shape = shapeOf(definition.payload as PayloadClass, new Map());
    return { accepts, instantiate: (plain) => instantiate(shape, plain as Record<string, unknown>) };
  } catch {
    return null;
  }
}

function shapeOf(cls: PayloadClass, known: Map<PayloadClass, Shape>): Shape {
  const seen = known.get(cls);
  if (seen) return seen;
  const shape: Shape = { cls, properties: [] };
  known.set(cls, shape);
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const names = [...new Set(metadatas.map((m) => m.propertyName))];
  for (const name of names) {
    const nested = metadatas.some((m) => m.propertyName === name && m.type === 'nestedValidation')
      ? (defaultMetadataStorage.findTypeMetadata(cls, name)?.typeFunction() as PayloadClass | undefined)
      : undefined;
    shape.properties.push({ name, nested: nested ? shapeOf(nested, known) : undefined });
  }
  return shape;
}

function instantiate(shape: Shape, plain: Record<string, unknown>): object {
  const instance = new shape.cls() as Record<string, unknown>;
  for (const { name, nested } of shape.properties) {
    const value = plain[name];
    if (value === undefined) continue;
    if (nested && value !== null && typeof value === 'object')
      instance[name] = Array.isArray(value)
        ? value.map((item: unknown) =>
            item !== null && typeof item === 'object' && !Array.isArray(item)
              ? instantiate(nested, item as Record<string, unknown>)
              : item,
          )
        : instantiate(nested, value as Record<string, unknown>);
    else instance[name] = value;
  }
  return instance;
}
