/**
 * Ordering: every customer topic is keyed by the customer id, so one customer's events arrive in the order
 * they happened, within one partition. Keep that order: handle a partition's records one after another (or
 * at least one key's), never one customer's events in parallel.
 */

/** Runs tasks one at a time per key and concurrently across keys (e.g. a batch of many customers). */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Keys with work queued or running. */
  get pending(): number {
    return this.tails.size;
  }
}

/**
 * For the compacted state topic and for read models fed from several topics: apply a snapshot only if its
 * revision is newer than the one applied (a replay or a retry delivers older ones again).
 */
export function isNewerRevision(
  applied: { revision: number } | undefined,
  incoming: { revision: number },
): boolean {
  return applied === undefined || incoming.revision > applied.revision;
}
