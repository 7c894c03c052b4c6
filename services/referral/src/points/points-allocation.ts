import { MAX_POINTS_PER_GRANT } from '@crm/contracts';

/** An earned lot that still has points left. */
export interface PointsLot {
  id: string;
  remaining: number;
  expiresAt: Date | null;
  occurredAt: Date;
}

/**
 * Which lots a redemption of `points` consumes: the soonest to expire first (lots that never expire last),
 * then the oldest, taking no more from a lot than it has left. Answers undefined when the lots hold fewer
 * points than asked, so a redemption never takes what is not there.
 */
export function allocate(
  lots: readonly PointsLot[],
  points: number,
): Array<{ id: string; take: number }> | undefined {
  if (!Number.isInteger(points) || points < 1)
    throw new RangeError(`points must be a positive integer, not ${points}`);
  const ordered = [...lots].sort(
    (a, b) =>
      (a.expiresAt?.getTime() ?? Infinity) - (b.expiresAt?.getTime() ?? Infinity) ||
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const taken: Array<{ id: string; take: number }> = [];
  let left = points;
  for (const lot of ordered) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    if (take <= 0) continue;
    taken.push({ id: lot.id, take });
    left -= take;
  }
  return left === 0 ? taken : undefined;
}

/** Points a purchase earns under a per-unit rule: whole points, rounded down, never negative, at most one grant. */
export function purchasePoints(amount: number, pointsPerUnit: number): number {
  if (!Number.isFinite(amount) || !Number.isFinite(pointsPerUnit) || amount <= 0 || pointsPerUnit <= 0)
    return 0;
  // Cents-safe: 0.29 * 100 is 28.999…; a tiny epsilon keeps an exact product whole.
  return Math.min(MAX_POINTS_PER_GRANT, Math.floor(amount * pointsPerUnit + 1e-9));
}
