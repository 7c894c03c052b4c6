export * from './pii-cipher';
export * from './master-keys';
export * from './personal-texts';
