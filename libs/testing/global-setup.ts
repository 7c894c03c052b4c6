import { join } from 'node:path';
import { aliasWorkspaceSources } from './alias-sources';

export default async function globalSetup(): Promise<void> {
  aliasWorkspaceSources(join(__dirname, '../..'));
  const { setUpTestInfra } = await import('./src/test-infra');
  await setUpTestInfra();
}
