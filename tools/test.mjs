// `npm test`: format, lint (with Nx module boundaries) and type-check side by side, then the build, then
// unit, integration, end-to-end and browser tests (the console in Chromium).
// Integration and end-to-end tests start their own Kafka broker and PostgreSQL unless KAFKA_BROKERS and
// DATABASE_URL are set. The long guarantee runs are `npm run test:long`.
import { spawn, spawnSync } from 'node:child_process';

process.env.NX_DAEMON ??= 'false';
process.env.NX_NO_CLOUD ??= 'true';

const extraJestArgs = process.argv.slice(2);
/** Checks that read the sources and write nothing: run at once, each one's output printed when it ends. */
const checks = [
  ['format (prettier)', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']],
  ['lint (eslint + Nx boundaries)', 'npx', ['eslint', '--max-warnings=0', '.']],
  ['type-check (specs included)', 'npx', ['tsc', '-p', 'tsconfig.json']],
  ['type-check (console web app)', 'npx', ['tsc', '-p', 'services/console/web/tsconfig.json']],
];
const steps = [
  [
    'build (dist/ and the console web app, run by integration, e2e and browser tests)',
    'npm',
    ['run', '--silent', 'build'],
  ],
  ['unit, integration and end-to-end tests (jest)', 'npx', ['jest', '--runInBand', ...extraJestArgs]],
];

const started = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);

/** Runs one check with its output collected; resolves with whether it passed. */
function check([title, command, args]) {
  const checkStarted = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('close', (code) => {
      process.stdout.write(`\n▶ ${title}\n${Buffer.concat(output).toString('utf8')}`);
      process.stdout.write(`${code === 0 ? '✔' : '✖'} ${title} (${seconds(checkStarted)} s)\n`);
      resolve(code === 0);
    });
  });
}

// The Nx project graph first: the lint's module-boundary rule reads it.
process.stdout.write('\n▶ project graph (for module boundaries)\n');
if (spawnSync('npx', ['nx', 'show', 'projects'], { stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) {
  process.stdout.write('✖ project graph failed\n');
  process.exit(1);
}
const results = await Promise.all(checks.map(check));
if (results.includes(false)) {
  process.stdout.write(`✖ ${results.filter((ok) => !ok).length} of ${checks.length} checks failed\n`);
  process.exit(1);
}
for (const [title, command, args] of steps) {
  const stepStarted = Date.now();
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    process.stdout.write(`✖ ${title} failed after ${seconds(stepStarted)} s\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`✔ ${title} (${seconds(stepStarted)} s)\n`);
}
process.stdout.write(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
