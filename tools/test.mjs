// `npm test`: format, lint (with Nx module boundaries), type-check, build, then unit, integration, end-to-end
// and browser tests (the console in Chromium).
// Integration and end-to-end tests start their own Kafka broker and PostgreSQL unless KAFKA_BROKERS and
// DATABASE_URL are set.
import { spawnSync } from 'node:child_process';

process.env.NX_DAEMON ??= 'false';
process.env.NX_NO_CLOUD ??= 'true';

const extraJestArgs = process.argv.slice(2);
const steps = [
  ['project graph (for module boundaries)', 'npx', ['nx', 'show', 'projects']],
  ['format (prettier)', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']],
  ['lint (eslint + Nx boundaries)', 'npx', ['eslint', '--max-warnings=0', '.']],
  ['type-check (specs included)', 'npx', ['tsc', '-p', 'tsconfig.json']],
  ['type-check (console web app)', 'npx', ['tsc', '-p', 'services/console/web/tsconfig.json']],
  [
    'build (dist/ and the console web app, run by integration, e2e and browser tests)',
    'npm',
    ['run', '--silent', 'build'],
  ],
  ['unit, integration and end-to-end tests (jest)', 'npx', ['jest', '--runInBand', ...extraJestArgs]],
];

const started = Date.now();
for (const [title, command, args] of steps) {
  const stepStarted = Date.now();
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, {
    stdio: ['ignore', title.startsWith('project graph') ? 'ignore' : 'inherit', 'inherit'],
  });
  const seconds = ((Date.now() - stepStarted) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stdout.write(`✖ ${title} failed after ${seconds} s\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`✔ ${title} (${seconds} s)\n`);
}
process.stdout.write(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
