/**
 * Idempotency: the platform delivers every event at least once (a redelivery after a crash, a replay), so a
 * consumer records the ids it has applied in the same transaction as its effects and skips an id it has seen.
 */

/** Anything with a `query(sql, params)` that reports `rowCount`: a `pg` Client or PoolClient, for instance. */
export interface SqlExecutor {
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
}

/** The table `claimEvent` writes to; create it in the consumer's own schema. */
export const PROCESSED_EVENTS_DDL = `CREATE TABLE IF NOT EXISTS processed_events (
  consumer text NOT NULL,
  event_id text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
)`;

/**
 * Claims an event for `consumer` inside the caller's open transaction: true the first time, false for a
 * duplicate. Apply the effects only when true, and commit both together; a crash before the commit leaves
 * neither, so the redelivered event is applied once.
 */
export async function claimEvent(db: SqlExecutor, consumer: string, eventId: string): Promise<boolean> {
  const result = await db.query(
    'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [consumer, eventId],
  );
  return result.rowCount === 1;
}

/**
 * For effects that are not in a database (a cache, a metric): remembers the last `capacity` ids. It only
 * narrows duplicates down (a restart forgets); use claimEvent where an effect must happen exactly once.
 */
export class RecentEventIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  /** True the first time an id is seen (within the window), false after. */
  firstTime(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}
