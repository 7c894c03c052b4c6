import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { validatePayload, EventRejectedError } from '../envelope/decode';
import { EVENT_CATALOG } from '../registry';
import { TOPIC_CATALOG } from '../topics';
import { MULTIPLE_OF_PRECISION } from '../events/common';
import { renderAsyncApi } from './asyncapi';
import { eventJsonSchema } from './json-schema';
import { checkContracts, PUBLISHED_DIR } from './published';
import { mutatedValue, validValue } from './schema-arbitrary';
import { CLIENT_CONTRACTS_FILE, renderClientContracts } from './typescript';

const root = join(__dirname, '../../..');
const runs = Number(process.env.FUZZ_RUNS ?? 150);

function schemaValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, multipleOfPrecision: MULTIPLE_OF_PRECISION });
  addFormats(ajv);
  return ajv;
}

function runtimeAccepts(definition: (typeof EVENT_CATALOG)[number], payload: unknown): boolean {
  try {
    validatePayload(definition, payload);
    return true;
  } catch (error) {
    if (error instanceof EventRejectedError) return false;
    throw error;
  }
}

describe('JSON Schemas generated from the contract classes', () => {
  const ajv = schemaValidator();
  const compile = (schema: ReturnType<typeof eventJsonSchema>) =>
    ajv.getSchema(schema.$id!) ?? ajv.compile(schema);

  it.each(EVENT_CATALOG.map((d) => [d.type, d] as const))(
    '%s: compiles in strict mode and accepts its fixture',
    (_type, definition) => {
      const validate = compile(eventJsonSchema(definition));
      expect({ valid: validate(definition.fixture), errors: validate.errors ?? [] }).toEqual({
        valid: true,
        errors: [],
      });
    },
  );

  it.each(EVENT_CATALOG.map((d) => [d.type, d] as const))(
    '%s: the runtime validator and the schema agree on generated valid and one-edit-away payloads',
    (_type, definition) => {
      const schema = eventJsonSchema(definition);
      const validate = compile(schema);
      let acceptedByBoth = 0;
      let rejectedByBoth = 0;
      fc.assert(
        fc.property(fc.oneof(validValue(schema), mutatedValue(schema)), (payload) => {
          const bySchema = validate(payload);
          const byRuntime = runtimeAccepts(definition, payload);
          if (bySchema !== byRuntime) {
            throw new Error(
              `schema ${bySchema ? 'accepts' : 'rejects'} but runtime ${byRuntime ? 'accepts' : 'rejects'}: ` +
                `${JSON.stringify(payload)} ${JSON.stringify(validate.errors)}`,
            );
          }
          if (bySchema) acceptedByBoth++;
          else rejectedByBoth++;
        }),
        { numRuns: runs },
      );
      // Both kinds were exercised, or the agreement would prove little.
      expect(acceptedByBoth).toBeGreaterThan(0);
      expect(rejectedByBoth).toBeGreaterThan(0);
    },
  );

  it('agrees on the hand-picked edge cases too', () => {
    const purchase = EVENT_CATALOG.find((d) => d.type === 'crm.purchase.recorded.v1')!;
    const validate = compile(eventJsonSchema(purchase));
    const fixture = purchase.fixture as Record<string, unknown>;
    const cases: Array<[string, unknown, boolean]> = [
      ['the fixture', fixture, true],
      ['an unknown extra field (ignored: consumers must tolerate additions)', { ...fixture, extra: 1 }, true],
      ['amount with three decimals', { ...fixture, amount: 10.005 }, false],
      ['amount 0.29 (binary floating point)', { ...fixture, amount: 0.29 }, true],
      ['occurredAt without a time zone', { ...fixture, occurredAt: '2024-05-20T09:30:00' }, false],
      ['occurredAt on February 30th', { ...fixture, occurredAt: '2024-02-30T09:30:00Z' }, false],
      ['customerId as urn:uuid', { ...fixture, customerId: `urn:uuid:${String(fixture.customerId)}` }, false],
      ['aggregates missing', { ...fixture, aggregates: undefined }, false],
      ['aggregates an array', { ...fixture, aggregates: [] }, false],
      ['currency lower case', { ...fixture, currency: 'eur' }, false],
    ];
    for (const [name, payload, expected] of cases) {
      const plain = JSON.parse(JSON.stringify(payload)) as unknown;
      expect({ name, schema: validate(plain) }).toEqual({ name, schema: expected });
      expect({ name, runtime: runtimeAccepts(purchase, plain) }).toEqual({ name, runtime: expected });
    }
  });
});

describe('the AsyncAPI document', () => {
  it('is a valid AsyncAPI 3.0 document by the official parser, with a channel per topic and every event', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(renderAsyncApi()));
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document
        ?.channels()
        .all()
        .map((c) => c.address())
        .sort(),
    ).toEqual(TOPIC_CATALOG.map((t) => t.name).sort());
    const messages = document?.components().messages().all() ?? [];
    expect(messages.map((m) => m.id()).sort()).toEqual(EVENT_CATALOG.map((d) => d.type).sort());
    for (const message of messages) {
      expect(message.headers()?.required()).toEqual(
        expect.arrayContaining(['ce_id', 'ce_type', 'ce_source', 'ce_specversion', 'ce_subject']),
      );
      expect(message.examples().all()).toHaveLength(1);
    }
  });

  it('is published in docs/contracts as generated (run `npm run docs:contracts` after a change)', () => {
    const published = parseYaml(readFileSync(join(root, PUBLISHED_DIR, 'asyncapi.yaml'), 'utf8')) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(renderAsyncApi())));
  });
});

describe('the client library', () => {
  it('carries the types and schemas generated from the contracts (run `npm run docs:contracts` after a change)', () => {
    expect(readFileSync(join(root, CLIENT_CONTRACTS_FILE), 'utf8')).toBe(renderClientContracts());
  });
});

describe('the compatibility gate', () => {
  it('finds every event type published and compatible with its committed snapshot', () => {
    const findings = checkContracts(root);
    expect(findings.map((f) => f.message)).toEqual([]);
  });
});
