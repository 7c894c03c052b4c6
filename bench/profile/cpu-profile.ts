/**
 * Reading a V8 CPU profile (the `.cpuprofile` DevTools opens): self time by function and by package, and the
 * affinity lists `taskset` prints. Pure functions, so that the profile bench's arithmetic is tested on its own.
 */

/** The parts of a `.cpuprofile` this reads (the inspector's `Profiler.Profile`). */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  /** The node sampled at each tick. */
  samples: number[];
  /** Microseconds since the previous sample, one per sample (the first since the profile's start). */
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled milliseconds on the JavaScript thread doing anything but waiting for work. */
  busyMs: number;
  /** Sampled milliseconds waiting for work (the event loop idle). */
  idleMs: number;
  /** Of `busyMs`, the garbage collector. */
  gcMs: number;
  /** Self time by function and place, most first. */
  functions: Array<{ name: string; where: string; selfMs: number }>;
  /** Self time by package (`node_modules/<name>`), Node's own modules, native code or the project's code. */
  packages: Array<{ name: string; selfMs: number }>;
}

/** V8's pseudo-functions: `(idle)` is waiting, the others are work without a JavaScript frame. */
const IDLE = '(idle)';
const GC = '(garbage collector)';

/** Where a frame's code comes from: a package, a Node built-in, the platform's own files, or none (native). */
export function packageOf(url: string, functionName: string): string {
  // The innermost package: a dependency installed under another is its own.
  const modules = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].at(-1);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return 'node (built-in)';
  if (url === '') return functionName.startsWith('(') ? functionName : 'native';
  const file = url.replace(/^file:\/\//, '');
  const ownPlace = /\/dist\/(bundle-chunks|services\/[^/]+|libs\/[^/]+|contracts|bench)\//.exec(file);
  return ownPlace ? `project: ${ownPlace[1]}` : `other: ${file.split('/').slice(-2).join('/')}`;
}

/** A frame's place as `file:line` (1-based), the file cut to its last two path segments. */
function placeOf(url: string, lineNumber: number): string {
  if (url === '') return '';
  return `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
}

function ranked(totals: Map<string, number>): Array<[string, number]> {
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Self time of each sampled node, summed by function and by package; idle and GC apart. */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const sampled = new Map<number, number>();
  profile.samples.forEach((node, i) =>
    sampled.set(node, (sampled.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  let busy = 0;
  let idle = 0;
  let gc = 0;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const micros = sampled.get(node.id);
    if (!micros) continue;
    const ms = micros / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === IDLE) {
      idle += ms;
      continue;
    }
    busy += ms;
    if (functionName === GC) gc += ms;
    const key = `${functionName || '(anonymous)'}\u0000${placeOf(url, lineNumber)}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
  }
  return {
    busyMs: busy,
    idleMs: idle,
    gcMs: gc,
    functions: ranked(byFunction).map(([key, selfMs]) => {
      const [name, where] = key.split('\u0000');
      return { name, where, selfMs };
    }),
    packages: ranked(byPackage).map(([name, selfMs]) => ({ name, selfMs })),
  };
}

/** Linux numbers CPUs below its build's NR_CPUS, at most 8192. */
const MAX_CPU = 8191;

/** The CPUs of a Linux CPU list such as `0-3,6` (what `taskset -pc` prints after the colon), ascending. */
export function parseCpuList(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.trim().split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) throw new Error(`not a CPU list: "${list}"`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new Error(`not a CPU list: "${list}" (range ${part} runs backwards)`);
    if (to > MAX_CPU) throw new Error(`not a CPU list: "${list}" (CPU ${to} is beyond ${MAX_CPU})`);
    for (let cpu = from; cpu <= to; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** A CPU list in its shortest form (`0-3,6`), for `taskset -pc`. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
