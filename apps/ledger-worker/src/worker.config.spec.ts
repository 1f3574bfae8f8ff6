import { defaultWorkerHttpPort, workerConfigFromEnv } from './worker.config';

describe(workerConfigFromEnv.name, () => {
  it('listens for metrics and health on the default port unless told otherwise', () => {
    expect(workerConfigFromEnv({}).httpPort).toBe(defaultWorkerHttpPort);
    expect(workerConfigFromEnv({ WORKER_HTTP_PORT: '' }).httpPort).toBe(defaultWorkerHttpPort);
    expect(workerConfigFromEnv({ WORKER_HTTP_PORT: '9100' }).httpPort).toBe(9100);
    expect(workerConfigFromEnv({ WORKER_HTTP_PORT: '0' }).httpPort).toBe(0);
    expect(workerConfigFromEnv({ WORKER_HTTP_PORT: 'off' }).httpPort).toBeNull();
    expect(workerConfigFromEnv({}).httpHost).toBe('127.0.0.1');
  });

  it('refuses a port that is not one, saying what it got', () => {
    for (const bad of ['abc', '-1', '65536', '80.5', 'false']) {
      expect(() => workerConfigFromEnv({ WORKER_HTTP_PORT: bad })).toThrow(`WORKER_HTTP_PORT must be a port (0 for any free one) or off, got "${bad}"`);
    }
  });
});
