import { setUpTestInfra } from './src/test-infra';

export default async function globalSetup(): Promise<void> {
  await setUpTestInfra();
}
