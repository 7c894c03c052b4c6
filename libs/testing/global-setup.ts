import { createRequire } from 'node:module';
import { join } from 'node:path';

// Jest global hooks run outside Jest's module map: the workspace's aliases resolve to the sources here.
const root = join(__dirname, '../..');
const { installAliases } = createRequire(__filename)(join(root, 'tools/workspace-aliases.cjs')) as {
  installAliases(root: string, extension: string): void;
};

export default async function globalSetup(): Promise<void> {
  installAliases(root, '.ts');
  const { setUpTestInfra } = await import('./src/test-infra');
  await setUpTestInfra();
}
