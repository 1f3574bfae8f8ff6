export * from './commands';
export * from './database';
export * from './kafka';
export * from './clock';
export * from './gateway';
