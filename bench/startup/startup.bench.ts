/**
 * What starting and stopping the platform costs: the six services started as `npm start` and the tests start
 * them (separate processes, fresh schemas), until every one answers ready, then stopped with SIGTERM, the way a
 * pod is. Each variant runs in turn, round after round, so a slower machine moment falls on all of them:
 * - compiled files (`CRM_BUNDLES=0`) and Kafka's 5 s long poll: how the platform ran before its bundles;
 * - the bundles, still with the 5 s long poll;
 * - the bundles with the 500 ms fetch wait the tests use (`KAFKA_FETCH_MAX_WAIT_MS=500`).
 * Prints, per variant, the wall time to ready, the services' CPU to ready, the whole machine's CPU meanwhile,
 * and the time to stop.
 *
 *   npm start                                   # shell 1: the broker and Postgres (its services idle)
 *   npm run bench:startup -- --rounds 3         # shell 2
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { SERVICE_CATALOG } from '@crm/contracts';
import { startPlatform } from '@crm/testing';
import { machineBusySeconds, processCpuSeconds, processRssMiB } from '../process-cpu';
import { argument } from '../stats';

const rounds = Number(argument('rounds', '3'));
const portOffset = Number(argument('port-offset', '600'));
process.env.KAFKA_BROKERS = argument('brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
process.env.DATABASE_URL = argument(
  'database-url',
  process.env.DATABASE_URL ?? 'postgres://postgres:crm-local@127.0.0.1:54329/crm',
);

interface Variant {
  name: string;
  bundles: boolean;
  fetchWaitMs: number;
}
const VARIANTS: Variant[] = [
  { name: 'compiled files, fetch wait 5000 ms', bundles: false, fetchWaitMs: 5000 },
  { name: 'bundles, fetch wait 5000 ms', bundles: true, fetchWaitMs: 5000 },
  { name: 'bundles, fetch wait 500 ms', bundles: true, fetchWaitMs: 500 },
];

interface Sample {
  readyMs: number;
  servicesCpu: number;
  /** The services' resident memory at ready, MiB, all together. */
  rss: number;
  machineCpu: number;
  stopMs: number;
  slowestStop: string;
}

const prefix = `startup_${randomUUID().slice(0, 6)}`;

async function once(variant: Variant, round: number): Promise<Sample> {
  process.env.CRM_BUNDLES = variant.bundles ? '1' : '0';
  const machineBefore = machineBusySeconds();
  const started = performance.now();
  const platform = await startPlatform(
    { KAFKA_FETCH_MAX_WAIT_MS: String(variant.fetchWaitMs) },
    portOffset,
    `${prefix}_${round}_${variant.bundles ? 'b' : 'c'}${variant.fetchWaitMs}`,
  );
  const readyMs = performance.now() - started;
  const machineCpu = machineBusySeconds() - machineBefore;
  let servicesCpu = 0;
  let rss = 0;
  for (const process_ of platform.processes.values()) {
    servicesCpu += processCpuSeconds(process_.pid!) ?? 0;
    rss += processRssMiB(process_.pid!) ?? 0;
  }
  const stopping = performance.now();
  const stops = await Promise.all(
    [...platform.processes.entries()].map(async ([name, process_]) => {
      const exit = await process_.kill('SIGTERM');
      if (exit.code !== 0)
        throw new Error(`${name} exited with ${JSON.stringify(exit)}:\n${process_.output()}`);
      return { name, ms: performance.now() - stopping };
    }),
  );
  const slowest = stops.reduce((a, b) => (b.ms > a.ms ? b : a));
  return { readyMs, servicesCpu, rss, machineCpu, stopMs: slowest.ms, slowestStop: slowest.name };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const range = (values: number[], digits: number) =>
  `${mean(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;

async function dropSchemas(): Promise<void> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`,
      [`${prefix}\\_%`],
    );
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
  try {
    for (let round = 1; round <= rounds; round++)
      for (const variant of VARIANTS) {
        const sample = await once(variant, round);
        samples.get(variant)!.push(sample);
        process.stderr.write(
          `round ${round}/${rounds}, ${variant.name}: ready in ${(sample.readyMs / 1000).toFixed(1)} s ` +
            `(services ${sample.servicesCpu.toFixed(1)} CPU-s and ${sample.rss.toFixed(0)} MiB, machine ` +
            `${sample.machineCpu.toFixed(1)} CPU-s), ` +
            `stopped in ${(sample.stopMs / 1000).toFixed(2)} s (last: ${sample.slowestStop})\n`,
        );
      }
  } finally {
    await dropSchemas();
  }
  // The table's columns: a heading, each sample's figure, and the digits it is printed with.
  const columns: Array<{ heading: string; of: (s: Sample) => number; digits: number }> = [
    { heading: 'ready, s', of: (s) => s.readyMs / 1000, digits: 1 },
    { heading: 'services CPU-s', of: (s) => s.servicesCpu, digits: 1 },
    { heading: 'machine CPU-s', of: (s) => s.machineCpu, digits: 1 },
    { heading: 'services MiB', of: (s) => s.rss, digits: 0 },
    { heading: 'stop, s', of: (s) => s.stopMs / 1000, digits: 2 },
  ];
  const row = (first: string, cells: string[]) =>
    `  ${first.padEnd(36)} ${cells.map((c) => c.padEnd(18)).join(' ')}`.trimEnd();
  const lines = [
    `npm run bench:startup -- --rounds ${rounds}   (${SERVICE_CATALOG.length} services; mean (min-max) of ${rounds} rounds)`,
    row(
      'variant',
      columns.map((c) => c.heading),
    ),
    ...[...samples].map(([variant, list]) =>
      row(
        variant.name,
        columns.map((c) => range(list.map(c.of), c.digits)),
      ),
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench:startup: ${error.message}\n`);
  process.exit(1);
});
