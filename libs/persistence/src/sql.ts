/**
 * Typed raw SQL. TypeORM's `query()` answers `any`, and answers UPDATE/DELETE with `[rows, affected]` but
 * SELECT/INSERT with `rows`; these helpers give every caller one typed shape. A row interface names the
 * columns a statement selects (snake_case, as Postgres answers them), and a feature's mapper turns it into
 * its domain or view type.
 */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

function isAffectedPair(result: unknown): result is [unknown[], number] {
  return (
    Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number'
  );
}

/** The rows a statement answers (SELECT, or INSERT/UPDATE/DELETE … RETURNING). */
export async function queryRows<Row>(db: Queryable, sql: string, parameters: unknown[] = []): Promise<Row[]> {
  const result = await db.query(sql, parameters);
  if (isAffectedPair(result)) return result[0] as Row[];
  return Array.isArray(result) ? (result as Row[]) : [];
}

/** The first row a statement answers, or undefined. */
export async function queryOne<Row>(
  db: Queryable,
  sql: string,
  parameters: unknown[] = [],
): Promise<Row | undefined> {
  return (await queryRows<Row>(db, sql, parameters))[0];
}

/**
 * Runs a statement for its effect; answers the number of rows an UPDATE or DELETE touched (0 for other
 * statements, whose count Postgres reports only with RETURNING).
 */
export async function execute(db: Queryable, sql: string, parameters: unknown[] = []): Promise<number> {
  const result = await db.query(sql, parameters);
  return isAffectedPair(result) ? result[1] : 0;
}

/** A Postgres column type `insertMany` can carry: a scalar type, `jsonb`, or a `text[]` array. */
export type BulkColumnType =
  'uuid' | 'text' | 'int' | 'bigint' | 'numeric' | 'boolean' | 'timestamptz' | 'jsonb' | 'text[]';

/**
 * Inserts many rows in one statement whatever their number: the rows travel as one JSON document (arrays of
 * values in column order), which Postgres reads with its own parser, so the statement has one parameter
 * (a multi-row VALUES list has one per value, and Postgres allows 65,535). `columns` maps each column to
 * its type; each row maps column names to values (missing is NULL; a `jsonb` value of null is NULL too,
 * not JSON null). Rows are inserted in the order given. `onConflict: 'do nothing'` skips rows that would
 * violate a unique constraint (rows already there).
 *
 * Before, each column travelled as a Postgres array literal: node-pg escaped every element in JavaScript and
 * Postgres parsed the literal, about twice the client's CPU and a third more of Postgres's per row
 * (`bench/README.md`, "Sent outbox rows deleted, bulk rows as one JSON document").
 */
export async function insertMany(
  db: Queryable,
  table: string,
  columns: Record<string, BulkColumnType>,
  rows: Array<Record<string, unknown>>,
  options: { onConflict?: 'do nothing' } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const selected = names.map((name, i) => {
    const type = columns[name];
    if (type === 'jsonb') return `nullif(r->${i}, 'null'::jsonb)`;
    if (type === 'text[]')
      return `CASE WHEN jsonb_typeof(r->${i}) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(r->${i})) END`;
    return type === 'text' ? `r->>${i}` : `(r->>${i})::${type}`;
  });
  await db.query(
    `INSERT INTO ${table} (${names.join(', ')})
     SELECT ${selected.join(', ')}
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS rows(r, n)
      ORDER BY n${options.onConflict ? ' ON CONFLICT DO NOTHING' : ''}`,
    [bulkDocument(rows.map((row) => names.map((name) => row[name] ?? null)))],
  );
}

/**
 * The JSON text of bulk rows as Postgres's `jsonb` takes it. Dates are written as ISO instants (an invalid
 * one is refused, not written as null); a bigint as its digits. A lone UTF-16 surrogate, which `jsonb`
 * refuses as an escape, becomes U+FFFD, as node-pg's UTF-8 encoding of a text parameter makes it.
 */
export function bulkDocument(values: unknown): string {
  // JSON.stringify with a replacer calls it for every value (a twentieth of an import's time); a plain
  // walk first finds whether anything needs it.
  const text = plainJson(values, 0) ? JSON.stringify(values) : JSON.stringify(values, replaced);
  // JSON.stringify writes a paired surrogate as itself and only a lone one as an escape; "\\" keeps an
  // escaped backslash (followed by the letters "ud800", say) out of the match.
  return text.includes('\\u')
    ? text.replace(/\\\\|\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g, (match) => (match === '\\\\' ? match : '\\ufffd'))
    : text;
}

function replaced(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  if (original instanceof Date && Number.isNaN(original.getTime()))
    throw new Error(`an invalid date cannot be written (${key === '' ? 'value' : `item ${key}`})`);
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Whether JSON.stringify alone writes `value` as the replacer would: nothing in it is a bigint, an invalid
 * date or an object with a toJSON of its own. A structure deeper than 64 levels (or a cycle) is left to the
 * replacer's way too.
 */
function plainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'bigint';
  if (value instanceof Date) return value.toJSON === Date.prototype.toJSON && !Number.isNaN(value.getTime());
  if (depth >= 64) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!plainJson(item, depth + 1)) return false;
    return true;
  }
  if ('toJSON' in value) return false;
  for (const key of Object.keys(value))
    if (!plainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}
