export * from './data-source';
export * from './snake-naming.strategy';
export * from './scheduled-jobs';
export * from './sql';
export * from './scheduled-jobs.migration';
export * from './pg-notifications';
export * from './service-clock';
export * from './due-notice';
