import type { DataSource } from 'typeorm';

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows a plan's scans of `table` produced or filtered out, over all their loops (Postgres reports per loop). */
function rowsOf(node: PlanNode, table: string): number {
  const own =
    node['Relation Name'] === table
      ? ((node['Actual Rows'] ?? 0) +
          (node['Rows Removed by Filter'] ?? 0) +
          (node['Rows Removed by Index Recheck'] ?? 0)) *
        (node['Actual Loops'] ?? 1)
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsOf(child, table), 0);
}

/**
 * Runs a statement under `EXPLAIN (ANALYZE)` and answers how many rows of `table` it read: what a query's
 * cost grows with, counted rather than timed (a statement that must stay cheap however large the table).
 */
export async function rowsRead(
  db: Pick<DataSource, 'query'>,
  sql: string,
  table: string,
  parameters: unknown[] = [],
): Promise<number> {
  const [row] = (await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, parameters)) as {
    'QUERY PLAN': { Plan: PlanNode }[];
  }[];
  return rowsOf(row['QUERY PLAN'][0].Plan, table);
}
