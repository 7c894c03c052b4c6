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
