export * from './kafka';
export * from './app-logger';
export * from './key-partitioner';
export * from './acls';
export * from './credentials-file';
