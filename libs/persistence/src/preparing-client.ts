import { createHash } from 'node:crypto';
import { Client } from 'pg';

/** A statement text is prepared on a connection from its third use there (its parse and plan cached). */
export const PREPARE_AFTER_USES = 3;
/** At most this many prepared statements per connection; texts beyond it run unprepared. */
export const MAX_PREPARED_PER_CONNECTION = 500;
/** Distinct texts counted per connection before the counts start over (statements built per call). */
const MAX_COUNTED_TEXTS = 5000;
/**
 * A `*` that selects or returns every column (`SELECT *`, `t.*`, `RETURNING *`): such a statement's result
 * follows the table's shape, and a prepared one fails once the table gains a column (another replica's
 * migration during a rolling upgrade), so it is never prepared. `count(*)` and multiplication are not this.
 */
const ALL_COLUMNS = /(^|[\s,.])\*\s*(,|from\b|$|\))/i;
/**
 * A statement that starts with this is planned at each use, never prepared: one whose best plan turns with a
 * table's size in a burst (a read of the rows an import is writing). A generic plan made while the table was
 * small (a scan, where an index lookup is right once it has grown) could be kept until the table is next
 * analyzed, which autovacuum may not do for minutes.
 */
export const PLAN_EACH_TIME = '/* plan each time */';
/** Postgres's answer to a prepared statement whose result changed shape since it was prepared. */
const CHANGED_RESULT = '0A000';

/**
 * The pool's connections: a statement with parameters that a connection has run `PREPARE_AFTER_USES` times
 * is sent as a named prepared statement from then on, so Postgres parses it once per connection and may keep
 * a generic plan, and the client sends only Bind and Execute. The name is a digest of the text, so a text
 * always has the same name and two texts never share one. Statements without parameters (DDL, `BEGIN`),
 * statements whose result follows a table's shape and those marked `PLAN_EACH_TIME` are never prepared;
 * each connection keeps at most `MAX_PREPARED_PER_CONNECTION`. Should a prepared statement's result still change shape (a view redefined),
 * it fails once and is prepared afresh under a new name on its next use. Prepared statements belong to a
 * session: a pooler in front of Postgres must be in session mode (LISTEN needs it too).
 */
export class PreparingClient extends Client {
  private readonly uses = new Map<string, number>();
  private readonly names = new Map<string, string>();
  /** Bumped when a statement is retired, so that its next name is a new one. */
  private generation = 0;

  /** The statement's name when it is (now) prepared on this connection, else undefined. */
  statementName(text: string): string | undefined {
    const known = this.names.get(text);
    if (known) return known;
    if (ALL_COLUMNS.test(text) || text.startsWith(PLAN_EACH_TIME)) return undefined;
    const uses = (this.uses.get(text) ?? 0) + 1;
    if (uses < PREPARE_AFTER_USES || this.names.size >= MAX_PREPARED_PER_CONNECTION) {
      if (this.uses.size >= MAX_COUNTED_TEXTS) this.uses.clear();
      this.uses.set(text, uses);
      return undefined;
    }
    this.uses.delete(text);
    const digest = createHash('sha256').update(`${this.generation}:${text}`).digest('hex');
    const name = `crm_${digest.slice(0, 40)}`;
    this.names.set(text, name);
    return name;
  }

  /** Forgets a prepared statement whose result changed shape; its next use prepares it anew. */
  retire(text: string): void {
    if (this.names.delete(text)) this.generation += 1;
  }
}

// Client.query has many overloads; the pool and TypeORM call it as query(text, values) for a promise.
const plainQuery = Client.prototype.query as (...args: unknown[]) => unknown;
PreparingClient.prototype.query = function (this: PreparingClient, ...args: unknown[]): unknown {
  const [text, values] = args;
  if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
    const name = this.statementName(text);
    if (name)
      return (plainQuery.call(this, { name, text, values }) as Promise<unknown>).catch(
        (error: { code?: string }) => {
          if (error?.code === CHANGED_RESULT) this.retire(text);
          throw error;
        },
      );
  }
  return plainQuery.apply(this, args);
} as typeof Client.prototype.query;
