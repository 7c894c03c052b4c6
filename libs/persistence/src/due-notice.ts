/**
 * A durable timer's notification says when its new work is due, so that a worker already planning to look
 * by then has nothing to do. The payload is the notifying schema, then `;in=` and the milliseconds of the
 * service clock from the notifying statement until the work is due (0: due now). A payload without it (an
 * older sender, a change whose due time is not known) means "look now".
 */
const DUE_IN = /;in=(\d{1,15})$/;

/** The suffix a notifier appends to `current_schema()`: due in `inMs` (rounded up, never negative). */
export function dueIn(inMs: number): string {
  const ms = Number.isFinite(inMs) ? Math.min(Math.max(0, Math.ceil(inMs)), 1e15 - 1) : 0;
  return `;in=${ms}`;
}

/** The milliseconds a notification's payload says its work is due in, or undefined for "look now". */
export function dueInMs(payload: string): number | undefined {
  const match = DUE_IN.exec(payload);
  return match ? Number(match[1]) : undefined;
}

/**
 * The same suffix computed in SQL, for notifications sent from within a statement (`RETURNING`, a `WITH`):
 * `due` and `now` are SQL expressions of type timestamptz, `now` being the service clock's time (a
 * parameter), never the database's `now()`, which a moved clock (tests) does not follow.
 */
export function dueInSql(due: string, now: string): string {
  return `';in=' || greatest(0, ceil(extract(epoch FROM (${due}) - (${now})) * 1000))::bigint`;
}
