/** Helpers that start the apps (in-process stacks, worker processes): they compose apps, so they live above them, under test/. */
export * from './fault-rig';
export * from './gateway';
export * from './stack';
export * from './worker-process';
