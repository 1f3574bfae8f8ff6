export * from './browser';
export * from './commands';
export * from './events';
export * from './examples';
export * from './gift-card-hash';
export * from './keys';
export * from './replies';
export * from './topics';
