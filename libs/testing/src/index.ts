export * from './managed-process';
export * from './test-infra';
