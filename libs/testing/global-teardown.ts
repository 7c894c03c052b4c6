import { tearDownTestInfra } from './src/test-infra';

export default async function globalTeardown(): Promise<void> {
  await tearDownTestInfra();
}
