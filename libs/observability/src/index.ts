export * from './telemetry';
export * from './json-logger';
export * from './metrics';
