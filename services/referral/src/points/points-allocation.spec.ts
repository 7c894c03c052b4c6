import fc from 'fast-check';
import { allocate, purchasePoints, type PointsLot } from './points-allocation';

const lot = (
  id: string,
  remaining: number,
  expiresAt: string | null,
  occurredAt = '2026-01-01T00:00:00Z',
) => ({
  id,
  remaining,
  expiresAt: expiresAt ? new Date(expiresAt) : null,
  occurredAt: new Date(occurredAt),
});

describe('allocate', () => {
  it('takes the soonest to expire first, lots that never expire last', () => {
    const lots = [
      lot('never', 100, null),
      lot('late', 50, '2027-06-01T00:00:00Z'),
      lot('soon', 30, '2026-12-01T00:00:00Z'),
    ];
    expect(allocate(lots, 60)).toEqual([
      { id: 'soon', take: 30 },
      { id: 'late', take: 30 },
    ]);
    expect(allocate(lots, 181)).toBeUndefined();
    expect(allocate(lots, 180)?.map((t) => t.id)).toEqual(['soon', 'late', 'never']);
  });

  it('refuses a redemption that is not a positive whole number', () => {
    expect(() => allocate([], 0)).toThrow(RangeError);
    expect(() => allocate([], 1.5)).toThrow(RangeError);
  });

  const lots = fc.uniqueArray(
    fc.record({
      id: fc.uuid(),
      remaining: fc.integer({ min: 0, max: 10_000 }),
      expiresAt: fc.option(
        fc.date({ min: new Date('2026-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
      ),
      occurredAt: fc.date({ min: new Date('2020-01-01'), max: new Date('2026-01-01'), noInvalidDate: true }),
    }),
    { maxLength: 30, selector: (l: { id: string }) => l.id },
  ) as fc.Arbitrary<PointsLot[]>;

  it('takes exactly what is asked when the lots hold enough, never more than a lot has, and nothing otherwise', () => {
    fc.assert(
      fc.property(lots, fc.integer({ min: 1, max: 200_000 }), (all, points) => {
        const total = all.reduce((sum, l) => sum + l.remaining, 0);
        const taken = allocate(all, points);
        if (points > total) return taken === undefined;
        if (!taken) return false;
        const byId = new Map(all.map((l) => [l.id, l]));
        return (
          taken.reduce((sum, t) => sum + t.take, 0) === points &&
          taken.every((t) => t.take > 0 && t.take <= byId.get(t.id)!.remaining) &&
          new Set(taken.map((t) => t.id)).size === taken.length
        );
      }),
    );
  });

  it('never leaves points in a sooner-expiring lot while taking from a later one', () => {
    fc.assert(
      fc.property(lots, fc.integer({ min: 1, max: 50_000 }), (all, points) => {
        const taken = allocate(all, points);
        if (!taken) return true;
        const used = new Map(taken.map((t) => [t.id, t.take]));
        const expiry = (l: PointsLot) => l.expiresAt?.getTime() ?? Infinity;
        const latestUsed = Math.max(...all.filter((l) => used.has(l.id)).map(expiry));
        // Every lot expiring strictly sooner than the latest one used was emptied.
        return all.filter((l) => expiry(l) < latestUsed).every((l) => (used.get(l.id) ?? 0) === l.remaining);
      }),
    );
  });
});

describe('purchasePoints', () => {
  it('rounds down to whole points and is never negative', () => {
    expect(purchasePoints(110_000, 0.01)).toBe(1100);
    expect(purchasePoints(29, 0.01)).toBe(0);
    expect(purchasePoints(0.29, 100)).toBe(29);
    expect(purchasePoints(-5, 1)).toBe(0);
    fc.assert(
      fc.property(
        fc.double({ noNaN: true }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        (amount, rate) => {
          const points = purchasePoints(amount, rate);
          return Number.isInteger(points) && points >= 0 && (points === 0 || points <= amount * rate + 1e-6);
        },
      ),
    );
  });
});
