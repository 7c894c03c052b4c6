import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import fc from 'fast-check';
import { defineEvent } from '../envelope/event-definition';
import { ConsentV1, CustomerRegistered } from '../events/customer-registered.v1';
import { IsOneOf, IsTimestamp, TextLength } from '../events/common';
import { Topics } from '../topics';
import { EVENT_CATALOG } from '../registry';
import { compareSchemas } from './compatibility';
import { eventJsonSchema, type JsonSchema } from './json-schema';
import { checkContracts, publishSchemas, readSnapshot, schemaFile, SCHEMAS_DIR } from './published';

const root = join(__dirname, '../../..');

/** customer registered v1 as a careless change would leave it. */
class BrokenCustomerRegisteredV1 {
  @IsUUID() customerId: string;
  // externalRef renamed to externalReference
  @IsString() @TextLength(1, 64) externalReference: string;
  // enum narrowed: 'company' removed
  @IsOneOf(['person']) kind: 'person';
  // industry removed, companySize's type changed
  @IsOptional() @IsBoolean() companySize?: boolean;
  @IsTimestamp() registeredAt: string;
  @IsTimestamp() relationshipStartedAt: string;
  @IsArray()
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ConsentV1)
  consents: ConsentV1[];
  // a new required field
  @IsString() region: string;
}

/** The first fields of customer registered v1. */
class BaseCustomerRegisteredV1 {
  @IsUUID() customerId: string;
  @IsString() @TextLength(1, 64) externalRef: string;
  @IsOneOf(['person', 'company']) kind: 'person' | 'company';
  @IsOptional() @IsString() @TextLength(0, 120) industry?: string;
  @IsOptional() @IsString() @TextLength(0, 40) companySize?: string;
}

/** The same with one new optional field: allowed within the version. */
class ExtendedCustomerRegisteredV1 {
  @IsUUID() customerId: string;
  @IsString() @TextLength(1, 64) externalRef: string;
  @IsOneOf(['person', 'company']) kind: 'person' | 'company';
  @IsOptional() @IsString() @TextLength(0, 120) industry?: string;
  @IsOptional() @IsString() @TextLength(0, 40) companySize?: string;
  @IsOptional() @IsString() region?: string;
}

function definitionWith(payload: new () => object) {
  return defineEvent({
    type: CustomerRegistered.type,
    topic: Topics.customers,
    description: CustomerRegistered.description,
    payload,
    fixture: CustomerRegistered.fixture,
  });
}

describe('the compatibility gate', () => {
  it('rejects a breaking change within a version, naming each field and why, and says to make a new version', () => {
    const findings = checkContracts(root, [definitionWith(BrokenCustomerRegisteredV1)]);
    const incompatible = findings.filter((f) => f.problem === 'incompatible');
    expect(incompatible).toHaveLength(1);
    const byField = Object.fromEntries(incompatible[0].incompatibilities!.map((i) => [i.field, i.reason]));
    expect(byField.externalRef).toMatch(/field removed \(a rename is a removal/);
    expect(byField.externalReference).toMatch(/new required field/);
    expect(byField.kind).toBe('enum narrowed: "company" removed');
    expect(byField.industry).toMatch(/field removed/);
    expect(byField.companySize).toBe('type changed from string to boolean');
    expect(byField.region).toMatch(/new required field/);
    expect(incompatible[0].message).toContain(
      'add crm.customer.registered.v2 beside crm.customer.registered.v1',
    );
  });

  it('lets a new optional field through as a compatible change that still has to be published', () => {
    const extended = definitionWith(ExtendedCustomerRegisteredV1);
    // Against a snapshot without the later fields, so the only difference is the new optional one.
    const previous = eventJsonSchema(definitionWith(BaseCustomerRegisteredV1));
    expect(compareSchemas(previous, eventJsonSchema(extended))).toEqual([]);
    expect(checkContracts(root, [extended]).map((f) => f.problem)).toContain('incompatible'); // vs the real v1
  });

  it('refuses to publish an incompatible schema over its snapshot', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'contracts-'));
    try {
      cpSync(join(root, SCHEMAS_DIR), join(scratch, SCHEMAS_DIR), { recursive: true });
      const before = readFileSync(schemaFile(scratch, CustomerRegistered.type), 'utf8');
      expect(() => publishSchemas(scratch, [definitionWith(BrokenCustomerRegisteredV1)])).toThrow(
        /crm\.customer\.registered\.v1: kind: enum narrowed/,
      );
      expect(readFileSync(schemaFile(scratch, CustomerRegistered.type), 'utf8')).toBe(before);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('reports a published type that left the catalog', () => {
    const findings = checkContracts(
      root,
      EVENT_CATALOG.filter((d) => d.type !== 'crm.feedback.scored.v1'),
    );
    expect(findings).toEqual([
      expect.objectContaining({ type: 'crm.feedback.scored.v1', problem: 'withdrawn' }),
    ]);
  });

  const rules: Array<[string, (s: JsonSchema) => void, RegExp]> = [
    [
      'tightened maxLength',
      (s) => (s.properties!.externalRef.maxLength = 32),
      /maxLength changed from 64 to 32/,
    ],
    [
      'loosened maxLength',
      (s) => (s.properties!.externalRef.maxLength = 128),
      /maxLength changed from 64 to 128/,
    ],
    [
      'a new pattern',
      (s) => (s.properties!.externalRef.pattern = '^C'),
      /pattern changed from none to "\^C"/,
    ],
    ['required → optional', (s) => (s.required = s.required!.filter((r) => r !== 'kind')), /became optional/],
    ['optional → required', (s) => s.required!.push('industry'), /optional field became required/],
    [
      'nullable → not nullable',
      (s) => (s.properties!.industry = s.properties!.industry.anyOf![0]),
      /no longer nullable/,
    ],
    [
      'a nested field removed',
      (s) => delete s.$defs!.ConsentV1.properties!.granted,
      /^consents\[\]\.granted: field removed/,
    ],
  ];

  it.each(rules)('flags %s', (_name, change, expected) => {
    const previous = readSnapshot(root, CustomerRegistered.type)!;
    const next = structuredClone(previous);
    change(next);
    const found = compareSchemas(previous, next).map((i) => `${i.field}: ${i.reason}`);
    expect(found).toEqual([expect.stringMatching(expected)]);
  });

  it('allows a new enum value (consumers tolerate values they do not know)', () => {
    const previous = readSnapshot(root, CustomerRegistered.type)!;
    const next = structuredClone(previous);
    next.properties!.kind.enum!.push('household');
    expect(compareSchemas(previous, next)).toEqual([]);
  });

  it('finds every schema compatible with itself and flags the removal of any field of any published schema', () => {
    const schemas = EVENT_CATALOG.map((d) => readSnapshot(root, d.type)!);
    for (const schema of schemas) expect(compareSchemas(schema, schema)).toEqual([]);
    const fields = schemas.flatMap((schema) =>
      Object.keys(schema.properties ?? {}).map((name) => [schema, name] as const),
    );
    fc.assert(
      fc.property(fc.constantFrom(...fields), ([schema, name]) => {
        const next = structuredClone(schema);
        delete next.properties![name];
        next.required = (next.required ?? []).filter((r) => r !== name);
        const found = compareSchemas(schema, next);
        expect(found).toEqual([
          expect.objectContaining({ field: name, reason: expect.stringMatching(/removed/) }),
        ]);
      }),
      { numRuns: 200 },
    );
  });
});
