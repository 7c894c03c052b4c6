import { startStageWatcher } from './stage-watcher';

/** `node dist/examples/stage-watcher/src/main.js`, configured by the environment. */
async function main(): Promise<void> {
  const watcher = await startStageWatcher({
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:54329/crm',
    schema: process.env.STAGE_WATCHER_SCHEMA ?? 'stage_watcher',
    groupId: process.env.STAGE_WATCHER_GROUP ?? 'examples.stage-watcher',
    httpPort: Number(process.env.PORT ?? 3900),
  });
  process.stdout.write(`stage-watcher listening on ${watcher.url}\n`);
  const stop = () => void watcher.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`stage-watcher failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
