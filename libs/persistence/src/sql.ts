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
 * Inserts many rows in one statement whatever their number: one array parameter per column, unnested, so
 * the statement has as many parameters as columns (a multi-row VALUES list has one per value, and Postgres
 * allows 65,535). `columns` maps each column to its type; each row maps column names to values (missing is
 * NULL). `jsonb` values and `text[]` arrays travel as JSON text (unnest would flatten an array of arrays).
 * `onConflict: 'do nothing'` skips rows that would violate a unique constraint (rows already there).
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
  const asJson = (type: BulkColumnType) => type === 'jsonb' || type === 'text[]';
  const selected = names.map((name, i) =>
    columns[name] === 'text[]'
      ? `CASE WHEN c${i} IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(c${i}::jsonb)) END`
      : columns[name] === 'jsonb'
        ? `c${i}::jsonb`
        : `c${i}`,
  );
  const parameters = names.map((name) =>
    rows.map((row) => {
      const value = row[name] ?? null;
      return value !== null && asJson(columns[name]) ? JSON.stringify(value) : value;
    }),
  );
  await db.query(
    `INSERT INTO ${table} (${names.join(', ')})
     SELECT ${selected.join(', ')}
       FROM unnest(${names.map((name, i) => `$${i + 1}::${asJson(columns[name]) ? 'text' : columns[name]}[]`).join(', ')})
         AS rows(${names.map((_, i) => `c${i}`).join(', ')})${options.onConflict ? ' ON CONFLICT DO NOTHING' : ''}`,
    parameters,
  );
}
