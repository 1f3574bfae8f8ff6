export * from './kafka';
export * from './app-logger';
