export default async function globalTeardown(): Promise<void> {
  const { tearDownTestInfra } = await import('./src/test-infra');
  await tearDownTestInfra();
}
