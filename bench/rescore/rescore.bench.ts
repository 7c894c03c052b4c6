/**
 * Re-scores everyone, set-based, on deterministic data: N customers and M purchases generated in SQL into
 * a schema of its own, then the tagging sweep (the same code the service runs) at a fixed as-of date. In
 * the same run: a plain SQL aggregate over the same purchases (the floor) and the ratio between the two,
 * a second sweep at the same date (nothing changes: the cost of a quiet night), and one more evaluating every
 * customer (what leaving the steady ones alone saves). Each sweep prints how many customers it evaluated and
 * its CPU by side: this process (the sweep's JavaScript) and the embedded Postgres.
 *
 *   npm run bench:rescore -- --customers 1000000 --purchases 10000000
 *
 * Uses DATABASE_URL when set, else starts an embedded PostgreSQL under .local/bench (port 54339).
 */
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { startEmbeddedPostgres, workspaceRoot, type EmbeddedPostgresHandle } from '@crm/local-infra';
import { MESSAGING_MIGRATIONS } from '@crm/messaging';
import {
  initialiseServiceDataSource,
  ScheduledJobsTable1732500000001,
  serviceDataSourceOptions,
} from '@crm/persistence';
import { standaloneSweep, TAGGING_MIGRATIONS } from '@crm-services/tagging';
import { platformCpu } from '../process-cpu';
import { argument } from '../stats';

const customers = Number(argument('customers', '1000000'));
const purchases = Number(argument('purchases', '10000000'));
const batchSize = Number(argument('batch', '5000'));
const concurrency = Number(argument('concurrency', '2'));
/** Keep the generated data of an earlier run with the same sizes (results are cleared). */
const reuse = process.argv.includes('--reuse');
const schema = argument('schema', 'tagging_bench');
const asOf = new Date(argument('as-of', '2026-01-01T00:00:00.000Z'));
const say = (message: string) => process.stdout.write(`${message}\n`);
const seconds = (started: number) => (performance.now() - started) / 1000;
const phases = (p: Record<string, number>) =>
  Object.entries(p)
    .map(([name, s]) => `${name} ${s.toFixed(1)} s`)
    .join(', ');

const pgDataDir = join(workspaceRoot(), '.local/bench/pg');

/**
 * CPU seconds so far of this process (the sweep's JavaScript, on one thread) and of the embedded Postgres
 * (every backend; not visible when DATABASE_URL points elsewhere).
 */
function cpuSoFar(): { node: number; postgres: number | null } {
  const own = process.cpuUsage();
  const pg = process.env.DATABASE_URL ? undefined : platformCpu(pgDataDir);
  return { node: (own.user + own.system) / 1e6, postgres: pg?.found.postgres ? pg.postgres : null };
}

async function database(): Promise<{ url: string; postgres?: EmbeddedPostgresHandle }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL };
  const postgres = await startEmbeddedPostgres({
    dataDir: pgDataDir,
    port: Number(process.env.BENCH_PG_PORT ?? 54339),
    log: (m) => say(`[bench] ${m}`),
  });
  return { url: postgres.databaseUrl, postgres };
}

async function generate(client: Client): Promise<void> {
  // A version-4 UUID from a hash, so that generated ids are valid where the contracts require UUIDs.
  await client.query(`
    CREATE FUNCTION pg_temp.bench_uuid(seed text) RETURNS uuid IMMUTABLE LANGUAGE sql AS $$
      SELECT (substr(h, 1, 12) || '4' || substr(h, 14, 3) || '8' || substr(h, 18, 15))::uuid FROM md5(seed) AS h
    $$`);
  // Deterministic: every value is a hash of the row number. Relationships up to 4 years, purchases over
  // the two years before the as-of date, 1-4 lines' worth of spend in one of eight categories.
  await client.query(
    `
    INSERT INTO customers (customer_id, registered, relationship_started_at, industry)
    SELECT pg_temp.bench_uuid('customer-' || i), true,
           $2::timestamptz - make_interval(days => 30 + abs(hashint4(i)) % 1460),
           (ARRAY['manufacturing','retail','it-services','logistics'])[1 + abs(hashint4(i * 3)) % 4]
      FROM generate_series(1, $1::int) AS i`,
    [customers, asOf],
  );
  await client.query(
    `
    INSERT INTO purchase_facts (order_id, customer_id, amount, occurred_at, category_amounts, event_id)
    SELECT 'order-' || j, pg_temp.bench_uuid('customer-' || (1 + abs(hashint4(j)) % $1::int)), amount,
           $3::timestamptz - make_interval(secs => abs(hashint8(j::bigint * 7)) % (730 * 86400)),
           jsonb_build_object((ARRAY['pumps','valves','seals','motors','sensors','pipes','filters','service'])[1 + abs(hashint4(j * 5)) % 8], amount),
           'bench-' || j
      FROM (SELECT j, (50 + abs(hashint4(j * 11)) % 40000)::numeric(16,2) AS amount FROM generate_series(1, $2::int) AS j) g`,
    [customers, purchases, asOf],
  );
  // The read model the purchase handler keeps: spend per customer and category.
  await client.query(`
    INSERT INTO customer_category_spend (customer_id, category, spend)
    SELECT f.customer_id, e.key, sum(e.value::numeric) FROM purchase_facts f, jsonb_each_text(f.category_amounts) e
     GROUP BY f.customer_id, e.key`);
}

async function main(): Promise<void> {
  say(
    `command: npm run bench:rescore -- --customers ${customers} --purchases ${purchases} --batch ${batchSize} --concurrency ${concurrency}${reuse ? ' --reuse' : ''}`,
  );
  say(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  const { url, postgres } = await database();
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const [{ server_version }] = (await client.query('SHOW server_version')).rows;
    const counts = await client
      .query(
        `SELECT (SELECT count(*) FROM ${schema}.customers)::int AS c, (SELECT count(*) FROM ${schema}.purchase_facts)::int AS p`,
      )
      .then((r) => r.rows[0] as { c: number; p: number })
      .catch(() => ({ c: -1, p: -1 }));
    const regenerate = !(reuse && counts.c === customers && counts.p === purchases);
    say(
      `PostgreSQL ${server_version}; schema ${schema} (${regenerate ? 'dropped and generated anew' : 'data reused, results cleared'})`,
    );
    if (regenerate) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const dataSource: DataSource = await initialiseServiceDataSource(
      serviceDataSourceOptions({
        url,
        schema,
        entities: [],
        migrations: [...MESSAGING_MIGRATIONS, ScheduledJobsTable1732500000001, ...TAGGING_MIGRATIONS],
      }),
    );
    await client.query(`SET search_path = ${schema}`);
    let started = performance.now();
    if (regenerate) {
      say(
        `generating ${customers.toLocaleString('en')} customers and ${purchases.toLocaleString('en')} purchases...`,
      );
      await generate(client);
      // What autovacuum does in production: statistics and the visibility map (index-only scans).
      await client.query('VACUUM ANALYZE');
      say(`generated in ${seconds(started).toFixed(1)} s`);
    } else {
      await client.query(
        'TRUNCATE customer_scores, customer_reviews, stage_history, outbox, sweep_runs, segment_members, segment_changes',
      );
    }

    const sweep = standaloneSweep({ dataSource, schema, databaseUrl: url, segmentTimeoutMs: 600_000 });

    // The floor twice, the faster counted: the first run after generating may read cold pages.
    const floors: number[] = [];
    for (let run = 0; run < 2; run++) {
      started = performance.now();
      await client.query(
        `SELECT customer_id, sum(amount) FILTER (WHERE occurred_at > $1::timestamptz - interval '12 months'),
                count(*) FILTER (WHERE occurred_at > $1::timestamptz - interval '12 months'), count(*), max(occurred_at), min(occurred_at)
           FROM purchase_facts WHERE occurred_at <= $1 GROUP BY customer_id`,
        [asOf],
      );
      floors.push(seconds(started));
    }
    const floor = Math.min(...floors);
    say(
      `floor: plain SQL aggregate of the same purchases per customer: ${floor.toFixed(1)} s (runs: ${floors.map((f) => f.toFixed(1)).join(', ')} s; the faster counts)`,
    );

    const timedSweep = async (title: string, at: Date, review: 'due' | 'everyone' = 'due') => {
      let lastReport = 0;
      const cpuBefore = cpuSoFar();
      const t = performance.now();
      const before = Number((await client.query('SELECT count(*) AS n FROM outbox')).rows[0].n);
      const result = await sweep.run({
        trigger: 'on-demand',
        asOf: at,
        review,
        batchSize,
        concurrency,
        onProgress: (done) => {
          if (done - lastReport >= 200_000) {
            lastReport = done;
            say(`  ${done.toLocaleString('en')} customers (${seconds(t).toFixed(1)} s)`);
          }
        },
      });
      const took = seconds(t);
      const cpuAfter = cpuSoFar();
      const pgCpu =
        cpuAfter.postgres === null || cpuBefore.postgres === null
          ? 'Postgres not visible'
          : `Postgres ${(cpuAfter.postgres - cpuBefore.postgres).toFixed(1)} s`;
      const events = Number((await client.query('SELECT count(*) AS n FROM outbox')).rows[0].n) - before;
      say(
        `${title}: ${took.toFixed(1)} s, ${Math.round(result.customers / took).toLocaleString('en')} customers/s, ` +
          `${(result.evaluated ?? 0).toLocaleString('en')} evaluated (the others steady), ` +
          `${result.changed.toLocaleString('en')} changed, ${events.toLocaleString('en')} events queued, ` +
          `${(took / floor).toFixed(1)}x the floor (${phases(result.phases)}); ` +
          `CPU: this process ${(cpuAfter.node - cpuBefore.node).toFixed(1)} s, ${pgCpu}`,
      );
      return took;
    };
    const dayBefore = new Date(asOf.getTime() - 86_400_000);
    const first = await timedSweep(
      `first scoring of everyone, as of ${dayBefore.toISOString().slice(0, 10)} (every customer changes)`,
      dayBefore,
    );
    const daily = await timedSweep(
      `re-score a day later, as of ${asOf.toISOString().slice(0, 10)} (the daily sweep)`,
      asOf,
    );
    await timedSweep('re-score again at the same date (nothing changes)', asOf);
    // What leaving steady customers alone saves: the same date with every customer evaluated.
    await timedSweep('evaluate every customer again at the same date (review everyone)', asOf, 'everyone');
    const ratio = (took: number, limit: number) =>
      `${(took / floor).toFixed(1)}x the floor, target at most ${limit}x: ${took / floor <= limit ? 'met' : 'not met'}`;
    say(`target: daily re-score ${ratio(daily, 2)}`);
    say(`target: first scoring of everyone ${ratio(first, 4)}`);
    if (customers >= 1_000_000 && purchases >= 10_000_000)
      say(
        `target: re-score 1,000,000 customers with 10,000,000 purchases in 60 s: ${daily <= 60 ? 'met' : 'missed'} (${daily.toFixed(1)} s)`,
      );
    else
      say(
        'target: 60 s at 1,000,000 customers and 10,000,000 purchases (the defaults); this run was smaller',
      );
    await dataSource.destroy();
  } finally {
    await client.end();
    await postgres?.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
