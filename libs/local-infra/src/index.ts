export * from './process-utils';
export * from './kafka-broker';
export * from './embedded-postgres';
export * from './platform';
