import fc from 'fast-check';
import { IsString, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { EVENT_CATALOG } from '../registry';
import { eventJsonSchema } from '../schema/json-schema';
import { mutatedValue, validValue } from '../schema/schema-arbitrary';
import { compiledPayload } from './compiled-validation';
import { validatePayload, validateWithClassValidator } from './decode';
import { defineEvent } from './event-definition';

const runs = Number(process.env.FUZZ_RUNS ?? 150);

type Outcome = { accepted: true; value: unknown } | { accepted: false; error: string };

function outcome(run: () => unknown): Outcome {
  try {
    return { accepted: true, value: run() };
  } catch (error) {
    return { accepted: false, error: (error as Error).message };
  }
}

/** Properties a contract does not declare (a newer producer's additions), never `__proto__`. */
const extraProperties = fc.dictionary(
  fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,10}$/).map((name) => `x_${name}`),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 3 },
);

describe('compiled payload validation', () => {
  it.each(EVENT_CATALOG.map((d) => [d.type, d] as const))(
    '%s: answers exactly what class-validator answers, instances and stripped fields included',
    (_type, definition) => {
      const schema = eventJsonSchema(definition);
      const compiled = compiledPayload(definition);
      expect(compiled).not.toBeNull();
      let fast = 0;
      let rejected = 0;
      const payloads = fc.oneof(
        validValue(schema),
        mutatedValue(schema),
        fc
          .tuple(validValue(schema), extraProperties)
          .map(([value, extra]) =>
            value !== null && typeof value === 'object' && !Array.isArray(value)
              ? { ...extra, ...value }
              : value,
          ),
      );
      fc.assert(
        fc.property(payloads, (payload) => {
          const reference = outcome(() => validateWithClassValidator(definition, payload as object));
          const actual = outcome(() => validatePayload(definition, payload));
          if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
            expect(actual.accepted).toBe(false);
            return;
          }
          // Same instances (classes, own properties, undefined ones too) or the same error, word for word.
          expect(actual).toStrictEqual(reference);
          if (compiled!.accepts(payload)) fast += 1;
          if (!reference.accepted) rejected += 1;
        }),
        { numRuns: runs },
      );
      // Both ways were taken, or the equality would prove little.
      expect(fast).toBeGreaterThan(0);
      expect(rejected).toBeGreaterThan(0);
    },
  );

  it('agrees on values JSON cannot carry, which a publisher can pass', () => {
    const purchase = EVENT_CATALOG.find((d) => d.type === 'crm.purchase.recorded.v1')!;
    const fixture = purchase.fixture as Record<string, unknown>;
    const cases: Array<[string, Record<string, unknown>, boolean]> = [
      ['the fixture', fixture, true],
      ['amount NaN', { ...fixture, amount: Number.NaN }, false],
      ['amount Infinity', { ...fixture, amount: Number.POSITIVE_INFINITY }, false],
      ['occurredAt a Date', { ...fixture, occurredAt: new Date() }, false],
      ['an optional field undefined', { ...fixture, paymentDueAt: undefined }, true],
    ];
    for (const [name, payload, accepted] of cases) {
      const actual = outcome(() => validatePayload(purchase, payload));
      expect({ name, accepted: actual.accepted }).toEqual({ name, accepted });
      expect({ name, actual }).toStrictEqual({
        name,
        actual: outcome(() => validateWithClassValidator(purchase, payload)),
      });
    }
  });

  it('leaves a contract whose rules have no exact schema to class-validator alone', () => {
    @ValidatorConstraint({ name: 'oddLength' })
    class OddLength implements ValidatorConstraintInterface {
      validate(value: unknown) {
        return typeof value === 'string' && value.length % 2 === 1;
      }
    }
    class OddV1 {
      @IsString() @Validate(OddLength) word: string;
    }
    const Odd = defineEvent({
      type: 'crm.test.odd.v1',
      topic: EVENT_CATALOG[0].topic,
      payload: OddV1,
      description: 'a test event with a rule JSON Schema cannot say',
      fixture: { word: 'abc' },
    });
    expect(compiledPayload(Odd)).toBeNull();
    expect(validatePayload(Odd, { word: 'abc', extra: 1 })).toStrictEqual(
      Object.assign(new OddV1(), { word: 'abc' }),
    );
    expect(() => validatePayload(Odd, { word: 'ab' })).toThrow(/word/);
  });
});
