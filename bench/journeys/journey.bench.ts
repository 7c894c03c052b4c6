/**
 * Journey steps per second, two ways:
 *  1. the engine alone (pure `advance`, in this process): the win-back path, steps per second of one core;
 *  2. the running growth-campaigns worker (`npm start` in another shell): N runs of a bench journey made due
 *     at once (rows written straight into its schema), timed until every one has taken its steps, each step
 *     with its touch decided through the care policy and stored in the run's transaction.
 *
 *   npm start                                     # shell 1
 *   npm run bench:journeys -- --runs 5000          # shell 2
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { advance, initialState, type JourneyDefinition } from '@crm-services/growth-campaigns';
import { argument } from '../stats';

const runs = Number(argument('runs', '5000'));
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres:crm-local@127.0.0.1:54329/crm';
const schema = argument('schema', 'growth_campaigns');

const definition: JourneyDefinition = {
  name: 'bench',
  entry: { event: 'crm.customer.registered.v1' },
  start: 'wait',
  steps: {
    wait: { type: 'wait', duration: '1m', next: 'email' },
    email: {
      type: 'action',
      action: { kind: 'touch', channel: 'email', purpose: 'service', template: 'bench-email' },
      next: 'wait-again',
    },
    'wait-again': { type: 'wait', duration: '1m', next: 'sms' },
    sms: {
      type: 'action',
      action: { kind: 'touch', channel: 'sms', purpose: 'service', template: 'bench-sms' },
    },
  },
};

function engineAlone(): string {
  const started = performance.now();
  let steps = 0;
  const now = new Date();
  const later = new Date(now.getTime() + 120_000);
  const context = { variant: 'A', holdout: false, attributes: {} };
  for (let i = 0; i < 200_000; i++) {
    let result = advance(definition, initialState(definition), { kind: 'enter' }, { now, ...context });
    steps += result.path.length;
    result = advance(definition, result.state, { kind: 'timer' }, { now: later, ...context });
    steps += result.path.length;
  }
  const seconds = (performance.now() - started) / 1000;
  return `  engine alone: ${(steps / seconds).toFixed(0)} steps/s (${steps} steps in ${seconds.toFixed(2)} s, one core)`;
}

async function worker(): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const id = `bench-${Date.now()}`;
  try {
    // The journey itself, as PUT would store it (the bench needs no token that way).
    await client.query(
      `INSERT INTO ${schema}.journeys (id, version, definition, created_by) VALUES ($1, 1, $2, 'bench')`,
      [id, JSON.stringify(definition)],
    );
    await client.query(
      `INSERT INTO ${schema}.journey_heads (id, current_version, deleted_at) VALUES ($1, 1, now())`,
      [id],
    );
    const ids = Array.from({ length: runs }, () => randomUUID());
    await client.query(
      `INSERT INTO ${schema}.journey_runs (id, journey_id, version, customer_id, variant, holdout, status, step, steps, wake_at, entry_event_id, entered_at)
       SELECT r, $1, 1, gen_random_uuid(), 'A', false, 'active', 'wait', 1, now() - interval '1 second', r::text, now()
         FROM unnest($2::uuid[]) AS r`,
      [id, ids],
    );
    const started = performance.now();
    await client.query(`SELECT pg_notify('crm_journey_runs', $1)`, [schema]);
    process.stderr.write(`${runs} runs due; waiting for the worker...\n`);
    let left = runs;
    while (left > 0) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const row = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.journey_runs WHERE journey_id = $1 AND step = 'wait'`,
        [id],
      );
      left = row.rows[0].n;
      if ((performance.now() - started) / 1000 > 600)
        throw new Error(`${left} runs still due after 10 minutes`);
    }
    const seconds = (performance.now() - started) / 1000;
    // Each run took the email step and entered the second wait: two steps and one touch.
    return `  growth-campaigns worker: ${((runs * 2) / seconds).toFixed(0)} steps/s, ${(runs / seconds).toFixed(0)} runs/s (${runs} runs, ${runs * 2} steps, ${runs} touches in ${seconds.toFixed(1)} s)`;
  } finally {
    await client.query(`DELETE FROM ${schema}.care_actions WHERE playbook_id = $1`, [`journey:${id}`]);
    await client.query(`DELETE FROM ${schema}.journey_runs WHERE journey_id = $1`, [id]);
    await client.query(`DELETE FROM ${schema}.journey_heads WHERE id = $1`, [id]);
    await client.query(`DELETE FROM ${schema}.journeys WHERE id = $1`, [id]);
    await client.end();
  }
}

async function main(): Promise<void> {
  const lines = [`npm run bench:journeys -- --runs ${runs}`, engineAlone(), await worker(), ''];
  process.stdout.write(lines.join('\n'));
}

main().catch((error: Error) => {
  process.stderr.write(`bench:journeys: ${error.message}\n`);
  process.exit(1);
});
