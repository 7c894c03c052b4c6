export * from './managed-process';
export * from './test-infra';
export * from './platform-under-test';
export * from './helm';
export * from './topic-observer';
export * from './hostile-csv';
export * from './secured-kafka';
export * from './topic-reader';
