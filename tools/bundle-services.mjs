// `npm run build`, after tsc: each service's program bundled, as dist/services/<name>/src/main.bundle.cjs and
// the code the services share in dist/bundle-chunks/. A service that loads ~2,900 modules spends most of its
// start resolving, reading and compiling them (about 1.9 of tagging's 2.9 CPU-seconds to ready); from a
// handful of files the same code starts in about half the CPU. Each entry sits beside its main.js, so the
// service's own paths (`__dirname`) stay what they were.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'rolldown';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const { aliasTarget } = createRequire(import.meta.url)('./workspace-aliases.cjs');

/**
 * Left to Node at run time: `pg`, so that OpenTelemetry's instrumentation hooks its `require` and traces the
 * queries; packages that read their own files by path (`swagger-ui-dist` serves its assets from its folder);
 * and optional packages that are not installed (Nest and TypeORM ask for them inside a try, and go on without).
 */
const RUNTIME_PACKAGES = new Set(['pg', 'pg-native', 'swagger-ui-dist']);

function packageOf(id) {
  const parts = id.split('/');
  return id.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function external(id) {
  if (id.startsWith('.') || id.startsWith('/') || id.startsWith('node:') || id.startsWith('\0')) return false;
  if (aliasTarget(id)) return false;
  const name = packageOf(id);
  return RUNTIME_PACKAGES.has(name) || !existsSync(join(root, 'node_modules', name));
}

const services = readdirSync(join(dist, 'services')).filter((name) =>
  existsSync(join(dist, 'services', name, 'src', 'main.js')),
);
const started = Date.now();
rmSync(join(dist, 'bundle-chunks'), { recursive: true, force: true }); // chunks of earlier builds
// One build for all of them: the code they share is read and parsed once, and lands in shared chunks.
await build({
  input: Object.fromEntries(
    services.map((name) => [
      `services/${name}/src/main.bundle`,
      join(dist, 'services', name, 'src', 'main.js'),
    ]),
  ),
  platform: 'node',
  external,
  plugins: [
    {
      name: 'crm-workspace-aliases',
      resolveId(source) {
        const target = aliasTarget(source);
        return target ? { id: join(dist, `${target}.js`) } : null;
      },
    },
  ],
  // Optional requires of packages that are not installed stay requires (above); nothing else is expected.
  onLog(level, log, handler) {
    if (log.code === 'UNRESOLVED_IMPORT' || log.code === 'EVAL' || log.code === 'CIRCULAR_DEPENDENCY') return;
    handler(level, log);
  },
  output: {
    dir: dist,
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: 'bundle-chunks/[name]-[hash].cjs',
    sourcemap: true,
  },
});
const chunks = readdirSync(join(dist, 'bundle-chunks')).filter((file) => file.endsWith('.cjs'));
const bytes = [
  ...services.map((name) => join(dist, 'services', name, 'src', 'main.bundle.cjs')),
  ...chunks.map((file) => join(dist, 'bundle-chunks', file)),
].reduce((sum, file) => sum + statSync(file).size, 0);
process.stdout.write(
  `[bundle] ${services.length} services (${services.join(', ')}): ${chunks.length} shared chunks, ` +
    `${(bytes / 1e6).toFixed(1)} MB in all, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
