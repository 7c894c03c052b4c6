import type { DataSource } from 'typeorm';
import { execute, queryOne } from './sql';

/**
 * Claims a durable periodic job (a row of the service's `scheduled_jobs`, see `ScheduledJobsTable`) when it
 * is due: one replica wins (SKIP LOCKED) and moves it on by whole intervals from its anchor in the same
 * transaction, so a job missed while every replica was down runs once, at the next start.
 */
export async function claimScheduledJob(
  dataSource: DataSource,
  name: string,
  intervalSeconds: number,
  /** The service clock's time (`ServiceClock.now()`); the database's clock when not given. */
  at?: Date,
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const job = await queryOne<{ name: string }>(
      manager,
      `SELECT name FROM scheduled_jobs WHERE name = $1 AND next_run_at <= coalesce($2::timestamptz, now())
          FOR UPDATE SKIP LOCKED`,
      [name, at ?? null],
    );
    if (!job) return false;
    await execute(
      manager,
      `UPDATE scheduled_jobs
          SET next_run_at = next_run_at + make_interval(secs => $2)
                * greatest(1, ceil(extract(epoch FROM coalesce($3::timestamptz, now()) - next_run_at) / $2)),
              last_run_at = coalesce($3::timestamptz, now())
        WHERE name = $1`,
      [name, intervalSeconds, at ?? null],
    );
    return true;
  });
}

/** Records what the last run of a job did (shown to operators, read by tests). */
export async function recordScheduledJobResult(
  dataSource: DataSource,
  name: string,
  result: unknown,
): Promise<void> {
  await execute(dataSource, 'UPDATE scheduled_jobs SET last_result = $2 WHERE name = $1', [
    name,
    JSON.stringify(result),
  ]);
}
