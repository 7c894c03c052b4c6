export * from './data-source';
export * from './snake-naming.strategy';
export * from './scheduled-jobs';
