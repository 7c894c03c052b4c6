import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceIdentity } from '@crm/contracts';
import { workspaceRoot } from './process-utils';

export { SERVICE_CATALOG } from '@crm/contracts';
/** A service of the catalog (`@crm/contracts`), as the launchers and the test harness use it. */
export type ServiceDefinition = ServiceIdentity;

/**
 * How a compiled workspace program is run: Node with the dist alias hook. `npm run build` must have run.
 * A program with a bundle (`<script>.bundle.cjs`, which `npm run build` writes for every service) runs from
 * it, unless tsc has written dist/ since (then the bundle is stale and the compiled files run) or
 * CRM_BUNDLES=0 asks for the compiled files (stack traces with their own paths; the startup benchmark).
 */
export function nodeCommandFor(relativeScript: string): { command: string; args: string[] } {
  const root = workspaceRoot();
  const script = join(root, 'dist', `${relativeScript}.js`);
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  const bundle = join(root, 'dist', `${relativeScript}.bundle.cjs`);
  // kafkajs on Node 24 warns TimeoutNegativeWarning, harmlessly (see docs/architecture.md).
  return {
    command: process.execPath,
    args: [
      '--disable-warning=TimeoutNegativeWarning',
      '-r',
      join(root, 'tools/dist-paths.cjs'),
      process.env.CRM_BUNDLES !== '0' && bundleIsCurrent(bundle, join(root, 'dist', '.tsbuildinfo'))
        ? bundle
        : script,
    ],
  };
}

/** A bundle written after tsc's last write to dist/ (tsc rewrites its build info whenever it emits). */
export function bundleIsCurrent(bundle: string, buildInfo: string): boolean {
  if (!existsSync(bundle)) return false;
  return !existsSync(buildInfo) || statSync(bundle).mtimeMs >= statSync(buildInfo).mtimeMs;
}

export function serviceScript(service: ServiceDefinition): string {
  return `services/${service.name}/src/main`;
}
