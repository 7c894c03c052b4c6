export * from './stage-watcher';
