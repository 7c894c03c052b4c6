import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import fc from 'fast-check';
import { RecordPurchaseDto } from '../purchases/record-purchase.dto';
import { purchaseFromRows, quickPurchase } from './import-rows';

/** What class-validator, through its decorators, makes of a plain purchase: the instance, or undefined. */
async function byDecorators(plain: Record<string, unknown>): Promise<RecordPurchaseDto | undefined> {
  try {
    const dto = plainToInstance(RecordPurchaseDto, plain);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    return errors.length === 0 ? dto : undefined;
  } catch {
    return undefined;
  }
}

/** Values near every rule's edge, and the wrong types. */
const anyValue = fc.oneof(
  fc.constantFrom(undefined, null, true, '', ' ', '0', 'EUR', 'eur', 'EURO', '2024-05-20T09:30:00Z'),
  fc.constantFrom(0, -0, 1, -1, 0.5, 0.01, 0.001, 1e-7, 5e-323, 1e21, 1.5e300, NaN, Infinity, -Infinity),
  fc.double(),
  fc.integer({ min: -10, max: 1_000_000 }),
  fc.integer({ min: -1_000_000, max: 100_000_000 }).map((cents) => cents / 100),
  fc.string({ maxLength: 70 }),
  fc.string({ unit: 'grapheme', minLength: 60, maxLength: 70 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const someDay = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
/** Mostly what the rules take, so that most orders are one edge away from acceptance; else anything. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
const orderId = mostly(
  fc.oneof(
    { weight: 20, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(65)) },
  ),
);
const currency = mostly(fc.stringMatching(/^[A-Z]{3}$/));
const time = mostly(
  fc.oneof(
    someDay,
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  ),
);
const money = mostly(fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100));
const text = mostly(fc.string({ minLength: 1, maxLength: 64 }));
const line = { sku: text, category: text, quantity: mostly(fc.nat({ max: 1000 })), unitPrice: money };
const item = fc.oneof(
  { weight: 20, arbitrary: fc.record(line) },
  { weight: 1, arbitrary: fc.record({ ...line, colour: anyValue }) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.string(), fc.integer()) },
);
const purchase = fc
  .record(
    {
      orderId,
      amount: money,
      currency,
      occurredAt: time,
      paymentDueAt: time,
      warrantyUntil: time,
      items: mostly(fc.array(item, { maxLength: 4 })),
    },
    { requiredKeys: ['orderId', 'amount', 'currency', 'occurredAt', 'items'] },
  )
  .chain((order) =>
    fc.oneof(
      { weight: 20, arbitrary: fc.constant<Record<string, unknown>>(order) },
      { weight: 1, arbitrary: anyValue.map((note) => ({ ...order, note })) },
    ),
  );

/** Orders the rules accept: the quick check must take them, or it saves nothing. */
const goodPurchase = fc.record(
  {
    orderId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/),
    amount: fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100),
    currency: fc.stringMatching(/^[A-Z]{3}$/),
    occurredAt: someDay,
    paymentDueAt: someDay,
    warrantyUntil: fc.constantFrom(undefined, null, '2027-01-01'),
    items: fc.array(
      fc.record({
        sku: fc.string({ minLength: 1, maxLength: 64 }),
        category: fc.string({ minLength: 1, maxLength: 64 }),
        quantity: fc.integer({ min: 1, max: 10_000 }),
        unitPrice: fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100),
      }),
      { minLength: 1, maxLength: 20 },
    ),
  },
  { requiredKeys: ['orderId', 'amount', 'currency', 'occurredAt', 'items'] },
);

describe("an imported order's quick check", () => {
  it('accepts exactly what the decorators accept, and builds the same instance', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(purchase, async (plain) => {
        const expected = await byDecorators(plain);
        const quick = quickPurchase(plain);
        if (expected === undefined) expect(quick).toBeUndefined();
        else {
          expect(quick).toStrictEqual(expected);
          accepted += 1;
        }
      }),
      { numRuns: 3000 },
    );
    // The generated orders reach both answers often, so a rule the quick check missed shows.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(2700);
  });

  it('takes every order the rules accept', async () => {
    await fc.assert(
      fc.asyncProperty(goodPurchase, async (plain) => {
        const quick = quickPurchase(plain);
        expect(quick).toBeInstanceOf(RecordPurchaseDto);
        expect(quick).toStrictEqual(await byDecorators(plain));
      }),
      { numRuns: 500 },
    );
  });

  it('names a price whose decimals JavaScript writes with an exponent, instead of failing the import', async () => {
    const header = {
      externalRef: 'C1',
      orderId: 'SO-1',
      occurredAt: '2024-05-20T00:00:00Z',
      currency: 'EUR',
    };
    for (const unitPrice of ['0.0000001', '0.00000000000000000001', '1.5e-7']) {
      const errors = await purchaseFromRows({
        line: 9,
        externalRef: 'C1',
        rows: [{ line: 9, values: { ...header, category: 'pumps', quantity: '1', unitPrice } }],
      });
      expect(Array.isArray(errors) && errors.map((e) => `${e.line}:${e.field}`)).toContain('9:unitPrice');
    }
  });
});
