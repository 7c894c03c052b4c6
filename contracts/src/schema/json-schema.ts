import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import type { EventDefinition } from '../envelope/event-definition';
import { MONEY_MULTIPLE_OF } from '../events/common';

/**
 * JSON Schema (2020-12) generated from the class-validator decorators the platform validates with at run
 * time, so that the published schemas and the runtime validator cannot drift. Only decorators with an exact
 * JSON Schema equivalent are allowed in contracts; any other fails the generation (and `npm test`) with the
 * class and property that use it.
 */

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  anyOf?: JsonSchema[];
  examples?: unknown[];
  deprecated?: boolean;
}

/** validator.js's `isUUID(value, 'all')` (what `@IsUUID()` checks) without the case-insensitive flag. */
export const UUID_PATTERN =
  '^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}' +
  '|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$';

type PayloadClass = new () => object;

export function schemaIdOf(type: string): string {
  return `urn:crm:event:${type}`;
}

/** The JSON Schema of one event type's payload, nested classes under `$defs`. */
export function eventJsonSchema(definition: EventDefinition): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const root = classSchema(definition.payload as PayloadClass, defs, '#/$defs/');
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: schemaIdOf(definition.type),
    title: definition.type,
    description: definition.description,
    ...(definition.deprecated ? { deprecated: true } : {}),
    ...root,
    ...(Object.keys(defs).length > 0 ? { $defs: sortKeys(defs) } : {}),
    examples: [definition.fixture],
  };
}

/**
 * The schema of a contract class; nested classes are added to `defs` by class name and referenced with
 * `refPrefix` (`#/$defs/` in a standalone schema, `#/components/schemas/` in AsyncAPI).
 */
export function classSchema(
  cls: PayloadClass,
  defs: Record<string, JsonSchema>,
  refPrefix: string,
): JsonSchema {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of metadatas) {
    const list = byProperty.get(metadata.propertyName) ?? [];
    list.push(metadata);
    byProperty.set(metadata.propertyName, list);
  }
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [property, list] of byProperty) {
    const where = `${cls.name}.${property}`;
    const optional = list.some((m) => m.type === 'conditionalValidation' && m.name === 'isOptional');
    const schema = propertySchema(cls, property, list, defs, refPrefix, where);
    properties[property] = optional ? { anyOf: [schema, { type: 'null' }] } : schema;
    if (!optional) required.push(property);
  }
  return { type: 'object', properties, required };
}

function propertySchema(
  cls: PayloadClass,
  property: string,
  list: ValidationMetadata[],
  defs: Record<string, JsonSchema>,
  refPrefix: string,
  where: string,
): JsonSchema {
  const own: JsonSchema = {};
  const items: JsonSchema = {};
  let eachUsed = false;
  for (const metadata of list) {
    if (metadata.type === 'conditionalValidation') {
      if (metadata.name !== 'isOptional')
        throw new Error(`${where}: @ValidateIf has no JSON Schema equivalent`);
      continue;
    }
    const target = metadata.each ? items : own;
    if (metadata.each) eachUsed = true;
    if (metadata.type === 'nestedValidation') {
      const nested = defaultMetadataStorage.findTypeMetadata(cls, property)?.typeFunction() as
        PayloadClass | undefined;
      if (!nested) throw new Error(`${where}: @ValidateNested needs @Type(() => Class)`);
      addDefinition(nested, defs, refPrefix, where);
      target.$ref = `${refPrefix}${nested.name}`;
      continue;
    }
    if (metadata.type !== 'customValidation') {
      throw new Error(`${where}: ${metadata.type} validation has no JSON Schema equivalent`);
    }
    applyConstraint(target, metadata.name ?? '', metadata.constraints ?? [], where);
  }
  if (eachUsed) {
    if (own.type !== 'array') throw new Error(`${where}: { each: true } needs @IsArray()`);
    own.items = finish(items, `${where}[]`);
  }
  return finish(own, where);
}

function finish(node: JsonSchema, where: string): JsonSchema {
  if (node.$ref) {
    // class-validator's @ValidateNested alone also accepts undefined and arrays of arrays: @IsObject closes that.
    if (node.type !== 'object') throw new Error(`${where}: @ValidateNested() needs @IsObject()`);
    return { $ref: node.$ref };
  }
  if (!node.type && !node.enum) throw new Error(`${where}: no type decorator (e.g. @IsString())`);
  return node;
}

function setType(target: JsonSchema, type: JsonSchema['type'], where: string): void {
  if (target.type && target.type !== type) {
    throw new Error(`${where}: both ${target.type} and ${type}`);
  }
  target.type = type;
}

function applyConstraint(target: JsonSchema, name: string, constraints: unknown[], where: string): void {
  switch (name) {
    case 'isString':
      return setType(target, 'string', where);
    case 'isUuid':
      if (constraints[0] != null) throw new Error(`${where}: only @IsUUID() without a version is mapped`);
      setType(target, 'string', where);
      target.format = 'uuid';
      target.pattern = UUID_PATTERN;
      return;
    case 'isTimestamp':
      setType(target, 'string', where);
      target.format = 'date-time';
      return;
    case 'textLength': {
      setType(target, 'string', where);
      const [min, max] = constraints as [number, number];
      if (min > 0) target.minLength = min;
      target.maxLength = max;
      return;
    }
    case 'matches': {
      setType(target, 'string', where);
      const pattern = constraints[0];
      if (!(pattern instanceof RegExp) || pattern.flags !== '' || constraints[1]) {
        throw new Error(`${where}: @Matches needs a regular expression without flags`);
      }
      target.pattern = pattern.source;
      return;
    }
    case 'isIn': {
      const values = constraints[0] as unknown[];
      if (!values.every((v) => typeof v === 'string')) throw new Error(`${where}: @IsIn with non-strings`);
      setType(target, 'string', where);
      target.enum = [...values];
      return;
    }
    case 'isInt':
      return setType(target, 'integer', where);
    case 'isNumber': {
      const options = (constraints[0] ?? {}) as Record<string, unknown>;
      if (Object.keys(options).length > 0) throw new Error(`${where}: @IsNumber options; use @IsMoney()`);
      return setType(target, 'number', where);
    }
    case 'isMoney':
      setType(target, 'number', where);
      target.multipleOf = MONEY_MULTIPLE_OF;
      return;
    case 'min':
      target.minimum = constraints[0] as number;
      return;
    case 'max':
      target.maximum = constraints[0] as number;
      return;
    case 'isBoolean':
      return setType(target, 'boolean', where);
    case 'isArray':
      return setType(target, 'array', where);
    case 'arrayMinSize':
      target.minItems = constraints[0] as number;
      return;
    case 'arrayMaxSize':
      target.maxItems = constraints[0] as number;
      return;
    case 'isObject':
      return setType(target, 'object', where);
    default:
      throw new Error(
        `${where}: @${name} has no JSON Schema mapping; add one in contracts/src/schema/json-schema.ts`,
      );
  }
}

const classesByName = new Map<string, PayloadClass>();

function addDefinition(
  cls: PayloadClass,
  defs: Record<string, JsonSchema>,
  refPrefix: string,
  where: string,
): void {
  const known = classesByName.get(cls.name);
  if (known && known !== cls) throw new Error(`${where}: two contract classes are named ${cls.name}`);
  classesByName.set(cls.name, cls);
  if (defs[cls.name]) return;
  defs[cls.name] = {}; // reserve the name first: a class may refer to itself
  const schema = classSchema(cls, defs, refPrefix);
  if (!cls.name) throw new Error(`${where}: nested classes need a name`);
  defs[cls.name] = schema;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
