export * from './bootstrap';
export * from './health.controller';
export * from './validation';
export * from './service-core.module';
export * from './http-errors';
export * from './local-defaults';
export * from './request-context';
export * from './poller';
