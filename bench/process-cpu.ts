import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc's utime and stime (USER_HZ; 100 on Linux). */
const TICKS = 100;

export interface ProcessInfo {
  pid: number;
  ppid: number;
  cmdline: string;
  cpuSeconds: number;
  /** CPU of its children that have exited and been waited for (Postgres backends that ended). */
  reapedChildrenSeconds: number;
}

/** The fields of a /proc `stat` file after the command name, which may hold spaces and parentheses. */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User and system CPU seconds of a process or thread, from its `stat` fields. */
const cpuOf = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) / TICKS;

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const fields = statFields(`/proc/${pid}/stat`);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return {
      pid,
      ppid: Number(fields[1]),
      cmdline,
      cpuSeconds: cpuOf(fields),
      reapedChildrenSeconds: (Number(fields[13]) + Number(fields[14])) / TICKS,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/**
 * CPU seconds of a JVM's just-in-time compiler threads (HotSpot's `C1 CompilerThread…` and `C2 CompilerThread…`,
 * whose names /proc cuts to 15 characters). A freshly started broker spends a large share of its CPU compiling
 * its own code in its first minutes; a warm one hardly any.
 */
function jitSeconds(pid: number): number {
  let seconds = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const task of tasks) {
    try {
      if (!/^C[12] CompilerThre/.test(readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8'))) continue;
      seconds += cpuOf(statFields(`/proc/${pid}/task/${task}/stat`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return seconds;
}

/** CPU seconds a process has used so far (undefined once it has gone). */
export function processCpuSeconds(pid: number): number | undefined {
  return readProcess(pid)?.cpuSeconds;
}

/** CPU seconds one thread of a process has used so far (undefined once it has gone). */
export function threadCpuSeconds(pid: number, tid: number): number | undefined {
  try {
    return cpuOf(statFields(`/proc/${pid}/task/${tid}/stat`));
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has been busy since it booted (every core; /proc/stat, less idle and iowait). */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / TICKS;
}

function allProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

/** CPU seconds so far of each part of the platform: the six services, the Kafka broker, Postgres. */
export interface PlatformCpu {
  services: number;
  /** CPU seconds of each service (all its replicas), by name. */
  byService: Map<string, number>;
  kafka: number;
  /** Of `kafka`, the broker JVM's just-in-time compiler threads. */
  kafkaJit: number;
  postgres: number;
  /** Which parts were found (Postgres is not visible when DATABASE_URL points at another machine). */
  found: { services: number; kafka: boolean; postgres: boolean };
}

/** A service process: the program of `dist/services/<name>`, bundled or compiled. */
const SERVICE_PROGRAM = /dist\/services\/([a-z-]+)\/src\/main(\.js|\.bundle\.cjs)?\b/;

/** The platform's processes on this machine, as /proc shows them now. */
export interface PlatformProcesses {
  services: Array<ProcessInfo & { service: string }>;
  kafka: ProcessInfo[];
  /** The postmaster of the data folder and its children (backends, writers). */
  postgres: ProcessInfo[];
  postmaster?: number;
}

/**
 * Reads /proc: services are the processes running `dist/services/*`; the broker is the JVM running
 * `kafka.Kafka`; Postgres is the postmaster of `pgDataDir` (its postmaster.pid) and all its children.
 */
export function platformProcesses(pgDataDir: string): PlatformProcesses {
  const processes = allProcesses();
  const services = processes.flatMap((p) => {
    const match = SERVICE_PROGRAM.exec(p.cmdline);
    return match ? [{ ...p, service: match[1] }] : [];
  });
  const kafka = processes.filter((p) => p.cmdline.includes('kafka.Kafka'));
  let postmaster: number | undefined;
  try {
    postmaster = Number(readFileSync(join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    postmaster = undefined;
  }
  const postgres = processes.filter((p) => p.pid === postmaster || p.ppid === postmaster);
  return { services, kafka, postgres, postmaster };
}

/** CPU seconds so far of each part of the platform (see `platformProcesses` for what counts as which). */
export function platformCpu(pgDataDir: string): PlatformCpu {
  const { services, kafka, postgres, postmaster } = platformProcesses(pgDataDir);
  const sum = (list: ProcessInfo[]) => list.reduce((total, p) => total + p.cpuSeconds, 0);
  const byService = new Map<string, number>();
  for (const p of services) byService.set(p.service, (byService.get(p.service) ?? 0) + p.cpuSeconds);
  return {
    services: sum(services),
    byService,
    kafka: sum(kafka),
    kafkaJit: kafka.reduce((total, p) => total + jitSeconds(p.pid), 0),
    postgres: sum(postgres) + (postgres.find((p) => p.pid === postmaster)?.reapedChildrenSeconds ?? 0),
    found: { services: services.length, kafka: kafka.length > 0, postgres: postgres.length > 0 },
  };
}

/** What the platform spent between two readings: CPU seconds by part, services ranked, and parts not found. */
export interface CpuSpent {
  services: number;
  kafka: number;
  /** Of `kafka`, its JIT compilers: a broker started shortly before shows its warm-up here. */
  kafkaJit: number;
  postgres: number;
  /** Each service's CPU seconds, the busiest first. */
  byService: Array<readonly [string, number]>;
  /** The parts the readings could not see (their CPU is missing from the figures). */
  missing: string[];
}

export function cpuSpent(before: PlatformCpu, after: PlatformCpu, pgDataDir: string): CpuSpent {
  return {
    services: after.services - before.services,
    kafka: after.kafka - before.kafka,
    kafkaJit: after.kafkaJit - before.kafkaJit,
    postgres: after.postgres - before.postgres,
    byService: [...after.byService]
      .map(([name, seconds]) => [name, seconds - (before.byService.get(name) ?? 0)] as const)
      .sort((a, b) => b[1] - a[1]),
    missing: [
      after.found.services < 6 ? `only ${after.found.services} service processes found` : '',
      after.found.kafka ? '' : 'no Kafka broker process found',
      after.found.postgres ? '' : `no Postgres under ${pgDataDir}`,
    ].filter(Boolean),
  };
}

/** Resident memory of a process in MiB (from /proc/<pid>/status), or undefined once it has gone. */
export function processRssMiB(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : undefined;
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Resident memory of each service process, in MiB, by service name (from /proc/<pid>/status). */
export function serviceRss(): Map<string, number> {
  const rss = new Map<string, number>();
  for (const p of allProcesses()) {
    const match = SERVICE_PROGRAM.exec(p.cmdline);
    if (!match) continue;
    const mib = processRssMiB(p.pid);
    if (mib !== undefined) rss.set(match[1], (rss.get(match[1]) ?? 0) + mib);
  }
  return rss;
}

/** Least-squares slope of y over x (per unit of x); 0 for fewer than two points. */
export function slope(points: [number, number][]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0) / sxx;
}
