/**
 * A CPU profile of one running service over a window, while another bench (or real traffic) drives it:
 *
 *   npm start                                                         # shell 1
 *   npm run bench:profile -- --service tagging --seconds 30 --pin      # shell 2, then start the load in shell 3
 *
 * Opens the service's inspector (SIGUSR1, on 127.0.0.1:9229 unless --inspect-port says), samples its JavaScript
 * thread with V8's profiler, closes the inspector again, and prints self time by package and by function beside
 * the CPU /proc counted for the process and its main thread in the same window. The profile is written as a
 * `.cpuprofile` for Chrome DevTools or VS Code.
 *
 * V8's sampler reads the clock, not the CPU: on a machine whose cores are all busy, the time the thread waits
 * for a core is charged to wherever it stopped, usually right after a system call that woke another process (a
 * socket write to Postgres or Kafka). The bench says when the samples exceed the thread's CPU. `--pin` gives the
 * service a core of its own for the window (the last CPU; the other services, the broker and Postgres share the
 * rest, through `taskset`) and puts every process back afterwards, so what is sampled is what ran.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_CATALOG } from '@crm/contracts';
import { platformProcesses, processCpuSeconds, threadCpuSeconds } from '../process-cpu';
import { argument } from '../stats';
import { formatCpuList, parseCpuList, summariseProfile, type CpuProfile } from './cpu-profile';

const service = argument('service', '');
const seconds = Number(argument('seconds', '30'));
const intervalUs = Number(argument('interval-us', '500'));
const top = Number(argument('top', '30'));
const inspectPort = Number(argument('inspect-port', '9229'));
const pgData = argument('pg-data', join('.local', 'pg'));
const pin = process.argv.includes('--pin');
const out = argument(
  'out',
  join(
    '.local',
    'bench',
    `profile-${service || 'service'}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`,
  ),
);

function fail(message: string): never {
  console.error(`bench:profile: ${message}`);
  process.exit(2);
}

const serviceNames: string[] = SERVICE_CATALOG.map((s) => s.name);
if (!serviceNames.includes(service))
  fail(`--service must be one of ${serviceNames.join(', ')} (got "${service}")`);
if (!(seconds > 0 && seconds <= 3600))
  fail(`--seconds must be more than 0 and at most 3600 (got ${seconds})`);
if (!(Number.isInteger(intervalUs) && intervalUs >= 50 && intervalUs <= 100_000))
  fail(`--interval-us must be a whole number from 50 to 100000 (got ${intervalUs})`);

/** CPU seconds of the profiled process and of its main thread; a process that ended is an error. */
function cpuOf(pid: number): { process: number; main: number } {
  const process_ = processCpuSeconds(pid);
  const main = threadCpuSeconds(pid, pid);
  if (process_ === undefined || main === undefined) throw new Error(`${service} (pid ${pid}) has ended`);
  return { process: process_, main };
}

/** The CPUs a process may run on, as `taskset` reports them. */
function affinityOf(pid: number): number[] {
  const text = execFileSync('taskset', ['-pc', String(pid)], { encoding: 'utf8' });
  return parseCpuList(text.slice(text.lastIndexOf(':') + 1));
}

/** Sets the CPUs of a process and all its threads; a process gone meanwhile is left alone. */
function setAffinity(pid: number, cpus: number[]): void {
  try {
    execFileSync('taskset', ['-apc', formatCpuList(cpus), String(pid)], { stdio: 'ignore' });
  } catch {
    // ended meanwhile, or not ours to move
  }
}

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
class Inspector {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('close', () => {
      for (const waiting of this.pending.values())
        waiting.reject(new Error('the inspector closed the connection'));
      this.pending.clear();
    });
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id!);
      if (message.error) waiting.reject(new Error(message.error.message));
      else waiting.resolve(message.result);
    });
  }

  static async open(port: number): Promise<Inspector> {
    let targets: Array<{ webSocketDebuggerUrl: string }> = [];
    for (let attempt = 0; attempt < 20 && targets.length === 0; attempt++) {
      try {
        targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as typeof targets;
      } catch {
        await sleep(100);
      }
    }
    if (targets.length === 0) throw new Error(`no inspector answered on 127.0.0.1:${port}`);
    const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error('the inspector refused the connection')), {
        once: true,
      });
    });
    return new Inspector(socket);
  }

  call<T>(method: string, params: object = {}): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async evaluate(expression: string): Promise<unknown> {
    const answer = await this.call<{ result: { value?: unknown } }>('Runtime.evaluate', {
      expression,
      returnByValue: true,
      includeCommandLineAPI: true,
    });
    return answer.result.value;
  }

  close(): void {
    this.socket.close();
  }
}

const ms = (value: number) => `${(value / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const platform = platformProcesses(pgData);
  const replicas = platform.services.filter((p) => p.service === service);
  if (replicas.length === 0)
    fail(`no running ${service} process on this machine (start the platform: npm start)`);
  const target = replicas[0];
  console.log(
    `command: npm run bench:profile -- --service ${service} --seconds ${seconds} --interval-us ${intervalUs}` +
      `${pin ? ' --pin' : ''} --inspect-port ${inspectPort}`,
  );
  if (replicas.length > 1)
    console.log(`  ${replicas.length} replicas run; profiling the first (pid ${target.pid})`);

  const cpus = availableParallelism();
  const moved = new Map<number, number[]>();
  const restore = () => {
    for (const [pid, original] of moved) setAffinity(pid, original);
    moved.clear();
  };
  process.once('SIGINT', () => {
    restore();
    process.exit(130);
  });
  let pinNote = 'not pinned (--pin gives it a core of its own)';
  if (pin) {
    if (cpus < 2) fail('--pin needs at least two CPUs');
    const own = [cpus - 1];
    const rest = Array.from({ length: cpus - 1 }, (_, i) => i);
    const others = [
      ...platform.services.filter((p) => p.pid !== target.pid),
      ...platform.kafka,
      ...platform.postgres,
    ];
    try {
      for (const p of [target, ...others]) moved.set(p.pid, affinityOf(p.pid));
    } catch (error) {
      fail(`reading CPU affinity with taskset failed: ${(error as Error).message}`);
    }
    setAffinity(target.pid, own);
    for (const p of others) setAffinity(p.pid, rest);
    pinNote = `pinned to CPU ${formatCpuList(own)}; the other services, Kafka and Postgres to ${formatCpuList(rest)}`;
  }

  let inspector: Inspector | undefined;
  try {
    process.kill(target.pid, 'SIGUSR1');
    inspector = await Inspector.open(inspectPort);
    const pid = await inspector.evaluate('process.pid');
    if (pid !== target.pid)
      throw new Error(
        `the inspector on port ${inspectPort} belongs to pid ${String(pid)}, not ${service} (pid ${target.pid}); ` +
          'stop that process or give --inspect-port',
      );
    await inspector.call('Profiler.enable');
    await inspector.call('Profiler.setSamplingInterval', { interval: intervalUs });
    const before = cpuOf(target.pid);
    const started = performance.now();
    await inspector.call('Profiler.start');
    console.log(
      `profiling ${service} (pid ${target.pid}) for ${seconds} s, a sample every ${intervalUs} µs; ${pinNote}`,
    );
    for (let left = seconds; left > 0; left -= 10) {
      await sleep(Math.min(left, 10) * 1000);
      if (left > 10) console.log(`  ${seconds - left + 10} s...`);
    }
    // Read before the stop: handing over the profile costs the service CPU of its own.
    const windowMs = performance.now() - started;
    const after = cpuOf(target.pid);
    const processCpu = (after.process - before.process) * 1000;
    const mainCpu = (after.main - before.main) * 1000;
    const { profile } = await inspector.call<{ profile: CpuProfile }>('Profiler.stop');
    await inspector.call('Profiler.disable');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(profile));

    const summary = summariseProfile(profile);
    console.log(`\nwindow ${ms(windowMs)}`);
    console.log(
      `  CPU by /proc: the process ${ms(processCpu)}, of which its main thread ${ms(mainCpu)} ` +
        `(the rest: V8's garbage-collector and compiler helpers, libuv's pool)`,
    );
    console.log(
      `  sampled on the main thread: busy ${ms(summary.busyMs)} (of which garbage collection ${ms(summary.gcMs)}), ` +
        `waiting for work ${ms(summary.idleMs)}`,
    );
    if (summary.busyMs > mainCpu * 1.25 + 50)
      console.log(
        `  the samples count ${ms(summary.busyMs - mainCpu)} more than the thread ran: time spent waiting for a ` +
          `core is charged to where the thread stopped (often a socket write). ${pin ? '' : 'Run with --pin to see only what ran.'}`,
      );
    const share = (value: number) =>
      `${((value / Math.max(summary.busyMs, 1e-9)) * 100).toFixed(1).padStart(5)} %`;
    console.log('\nself time by package');
    for (const p of summary.packages.slice(0, 15))
      console.log(`  ${ms(p.selfMs).padStart(9)} ${share(p.selfMs)}  ${p.name}`);
    console.log('\nself time by function');
    for (const f of summary.functions.slice(0, top))
      console.log(`  ${ms(f.selfMs).padStart(9)} ${share(f.selfMs)}  ${f.name}  ${f.where}`);
    console.log(
      `\nwrote ${out} (Chrome DevTools, Performance; or VS Code). Bundled services name their chunk and line; ` +
        'CRM_BUNDLES=0 npm start profiles the compiled files instead.',
    );
  } finally {
    restore();
    if (inspector) {
      // The inspector is closed again: a service should not keep a debugging port open after its profile. The
      // answer may never come (the connection closes with it), so it is not waited for beyond a moment.
      await Promise.race([
        inspector.evaluate('require("node:inspector").close()').catch(() => undefined),
        sleep(500),
      ]);
      inspector.close();
    }
  }
}

main().catch((error: Error) => {
  console.error(`bench:profile failed: ${error.message}`);
  process.exit(1);
});
