export * from './commands';
export * from './database';
export * from './kafka';
export * from './clock';
export * from './faults';
export * from './ledger-snapshot';
export * from './reply-tracker';
