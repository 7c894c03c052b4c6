import fc from 'fast-check';
import { dueIn, dueInMs } from './due-notice';

describe('due notices', () => {
  it('read back the whole milliseconds a sender wrote after its schema, rounded up and never negative', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.oneof(fc.double({ min: -1e9, max: 1e13, noNaN: true }), fc.integer({ min: 0, max: 1e12 })),
        (schema, inMs) => {
          expect(dueInMs(schema + dueIn(inMs))).toBe(Math.max(0, Math.ceil(inMs)));
        },
      ),
    );
  });

  it('say "due now" for what cannot be a time, and nothing for a payload that names none', () => {
    expect(dueIn(Number.NaN)).toBe(';in=0');
    expect(dueIn(Number.POSITIVE_INFINITY)).toBe(';in=0');
    expect(dueInMs(dueIn(1e20))).toBe(1e15 - 1);
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (payload) => {
        fc.pre(!/;in=\d+$/.test(payload));
        expect(dueInMs(payload)).toBeUndefined();
      }),
    );
    for (const payload of ['', 'growth_campaigns', 'x;in=', 'x;in=-5', 'x;in=1.5', 'x;in=12 ', 'x;in=1e5'])
      expect(dueInMs(payload)).toBeUndefined();
  });
});
