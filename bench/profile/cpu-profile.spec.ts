import fc from 'fast-check';
import { formatCpuList, packageOf, parseCpuList, summariseProfile, type CpuProfile } from './cpu-profile';

const FRAMES = [
  { functionName: '(idle)', url: '', lineNumber: -1 },
  { functionName: '(garbage collector)', url: '', lineNumber: -1 },
  { functionName: '(program)', url: '', lineNumber: -1 },
  { functionName: 'writev', url: '', lineNumber: -1 },
  { functionName: 'query', url: 'file:///app/node_modules/pg/lib/client.js', lineNumber: 666 },
  {
    functionName: 'startSpan',
    url: 'file:///app/node_modules/@opentelemetry/sdk-trace-base/build/Tracer.js',
    lineNumber: 40,
  },
  { functionName: '', url: 'file:///app/dist/bundle-chunks/src-abc.cjs', lineNumber: 28 },
  { functionName: 'onBatch', url: 'file:///app/dist/services/tagging/src/main.bundle.cjs', lineNumber: 1200 },
  { functionName: 'emit', url: 'node:events', lineNumber: 487 },
];

/** A profile of generated nodes (a tree rooted at node 1) and samples of them, with generated time deltas. */
const profiles = fc
  .array(fc.nat({ max: FRAMES.length - 1 }), { minLength: 1, maxLength: 30 })
  .chain((frames) =>
    fc.record({
      frames: fc.constant(frames),
      parents: fc.tuple(...frames.map((_, i) => fc.nat({ max: Math.max(i - 1, 0) }))),
      samples: fc.array(
        fc.record({ node: fc.nat({ max: frames.length - 1 }), delta: fc.nat({ max: 20_000 }) }),
        { maxLength: 200 },
      ),
    }),
  )
  .map(({ frames, parents, samples }): CpuProfile => {
    const nodes = frames.map((frame, i) => ({
      id: i + 1,
      callFrame: FRAMES[frame],
      children: [] as number[],
    }));
    parents.forEach((parent, i) => {
      if (i > 0) nodes[parent].children.push(i + 1);
    });
    return {
      nodes,
      samples: samples.map((s) => s.node + 1),
      timeDeltas: samples.map((s) => s.delta),
    };
  });

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const close = (a: number, b: number) => Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

describe('summariseProfile', () => {
  it('accounts for every sampled microsecond once: idle, or busy by function and by package', () => {
    fc.assert(
      fc.property(profiles, (profile) => {
        const summary = summariseProfile(profile);
        const sampled = sum(profile.timeDeltas) / 1000;
        expect(close(summary.busyMs + summary.idleMs, sampled)).toBe(true);
        expect(close(sum(summary.functions.map((f) => f.selfMs)), summary.busyMs)).toBe(true);
        expect(close(sum(summary.packages.map((p) => p.selfMs)), summary.busyMs)).toBe(true);
        expect(summary.gcMs).toBeLessThanOrEqual(summary.busyMs + 1e-9);
        expect(summary.functions.some((f) => f.name === '(idle)')).toBe(false);
        for (const list of [summary.functions, summary.packages])
          for (let i = 1; i < list.length; i++)
            expect(list[i - 1].selfMs).toBeGreaterThanOrEqual(list[i].selfMs);
      }),
    );
  });

  it('sums the samples of one function found under different callers', () => {
    const frame = FRAMES[4];
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3] },
        { id: 2, callFrame: frame, children: [] },
        { id: 3, callFrame: FRAMES[7], children: [4] },
        { id: 4, callFrame: frame, children: [] },
      ],
      samples: [2, 4, 4, 3],
      timeDeltas: [1000, 500, 500, 250],
    };
    const summary = summariseProfile(profile);
    expect(summary.functions[0]).toEqual({ name: 'query', where: 'lib/client.js:667', selfMs: 2 });
    expect(summary.packages).toEqual([
      { name: 'pg', selfMs: 2 },
      { name: 'project: services/tagging', selfMs: 0.25 },
    ]);
  });
});

describe('packageOf', () => {
  it('names a package, Node, the project or native code', () => {
    expect(packageOf('file:///app/node_modules/@opentelemetry/api/build/index.js', 'f')).toBe(
      '@opentelemetry/api',
    );
    expect(packageOf('file:///app/node_modules/a/node_modules/pg-protocol/dist/x.js', 'f')).toBe(
      'pg-protocol',
    );
    expect(packageOf('node:internal/streams/writable', 'f')).toBe('node (built-in)');
    expect(packageOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(packageOf('', 'writev')).toBe('native');
    expect(packageOf('file:///w/dist/bundle-chunks/src-x.cjs', 'f')).toBe('project: bundle-chunks');
    expect(packageOf('file:///w/dist/libs/messaging/src/outbox.relay.js', 'f')).toBe(
      'project: libs/messaging',
    );
  });
});

describe('CPU lists', () => {
  it('formats any set of CPUs so that parsing gives it back, ascending and without repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 256 }), { minLength: 1, maxLength: 40 }), (cpus) => {
        const text = formatCpuList(cpus);
        expect(text).toMatch(/^\d+(-\d+)?(,\d+(-\d+)?)*$/);
        expect(parseCpuList(text)).toEqual([...new Set(cpus)].sort((a, b) => a - b));
      }),
    );
  });

  it('reads what taskset prints, and names any other text it cannot read', () => {
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList(' 0,2-3\n')).toEqual([0, 2, 3]);
    fc.assert(
      fc.property(fc.string(), (text) => {
        let cpus: number[];
        try {
          cpus = parseCpuList(text);
        } catch (error) {
          expect((error as Error).message).toContain('not a CPU list');
          return;
        }
        expect(cpus.length).toBeGreaterThan(0);
        expect(cpus.every((c, i) => Number.isInteger(c) && c >= 0 && (i === 0 || c > cpus[i - 1]))).toBe(
          true,
        );
      }),
    );
    expect(() => parseCpuList('3-1')).toThrow('runs backwards');
    expect(() => parseCpuList('')).toThrow('not a CPU list');
    expect(() => parseCpuList('0-99999999999')).toThrow('beyond');
  });
});
