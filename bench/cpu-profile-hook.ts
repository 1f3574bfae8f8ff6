/**
 * Preloaded into a worker process by the bench when BENCH_PROFILE=1 (node -r bench/cpu-profile-hook.ts), so
 * the worker's code stays untouched. The first SIGWINCH starts the V8 sampling profiler, the second stops it
 * and writes the profile to BENCH_PROFILE_FILE: the profile covers the measured window only, not start-up.
 * SIGWINCH because its default action is to do nothing and Nest's shutdown hooks do not listen to it
 * (they do listen to SIGUSR2, and SIGUSR1 belongs to node's inspector).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const samplingIntervalUs = 500;
const target = process.env.BENCH_PROFILE_FILE;

if (target) {
  const session = new Session();
  session.connect();
  let state: 'idle' | 'starting' | 'profiling' | 'done' = 'idle';
  process.on('SIGWINCH', () => {
    if (state === 'idle') {
      state = 'starting';
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs }, () =>
          session.post('Profiler.start', () => {
            state = 'profiling';
          }),
        ),
      );
    } else if (state === 'profiling') {
      state = 'done';
      session.post('Profiler.stop', (error, result) => {
        writeFileSync(target, error ? JSON.stringify({ error: error.message }) : JSON.stringify(result.profile));
      });
    }
  });
}
