/**
 * CPU of the services at rest, read from the processes themselves: each service's own
 * `process_cpu_seconds_total` (user + system time, from its /metrics) before and after a quiet window.
 * Target: all of them together at most 5 % of one core.
 *
 *   npm start                         # shell 1, and leave it alone
 *   npm run bench:idle -- --seconds 60
 */
import { SERVICE_CATALOG } from '@crm/contracts';
import { argument } from '../stats';

const seconds = Number(argument('seconds', '60'));
const settle = Number(argument('settle', '10'));
const host = argument('host', '127.0.0.1');
const portOffset = Number(argument('port-offset', '0'));
const TARGET_PERCENT = 5;

async function cpuSeconds(port: number): Promise<number> {
  const response = await fetch(`http://${host}:${port}/metrics`).catch((error: Error) => {
    throw new Error(
      `no /metrics on ${host}:${port} (${error.message}); is the platform running (npm start)?`,
    );
  });
  const line = (await response.text()).split('\n').find((l) => l.startsWith('process_cpu_seconds_total'));
  if (!line) throw new Error(`process_cpu_seconds_total missing from ${host}:${port}/metrics`);
  return Number(line.split(' ').pop());
}

async function main(): Promise<void> {
  const services = SERVICE_CATALOG.map((s) => ({ name: s.name, port: s.port + portOffset }));
  process.stderr.write(`settling for ${settle} s, then measuring ${seconds} s at rest...\n`);
  await new Promise((resolve) => setTimeout(resolve, settle * 1000));
  const before = await Promise.all(services.map((s) => cpuSeconds(s.port)));
  const started = performance.now();
  for (let left = seconds; left > 0; left -= 10) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(10, left) * 1000));
    process.stderr.write(`  ${Math.min(seconds, seconds - left + 10)} / ${seconds} s\n`);
  }
  const after = await Promise.all(services.map((s) => cpuSeconds(s.port)));
  const wall = (performance.now() - started) / 1000;
  let total = 0;
  const rows = services.map((s, i) => {
    const percent = ((after[i] - before[i]) / wall) * 100;
    total += percent;
    return `  ${s.name.padEnd(18)} ${percent.toFixed(2).padStart(6)} % of a core  (${((after[i] - before[i]) * 1000).toFixed(0)} ms CPU in ${wall.toFixed(1)} s)`;
  });
  process.stdout.write(
    [
      `npm run bench:idle -- --seconds ${seconds}`,
      ...rows,
      `  all services       ${total.toFixed(2).padStart(6)} % of a core  (target at most ${TARGET_PERCENT} %: ${total <= TARGET_PERCENT ? 'met' : 'NOT met'})`,
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => {
  process.stderr.write(`bench:idle: ${error.message}\n`);
  process.exit(1);
});
