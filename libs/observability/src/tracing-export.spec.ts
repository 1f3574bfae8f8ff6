import { trace } from '@opentelemetry/api';
import { PassThrough } from 'node:stream';
import { createRootLogger, useRootLogger } from './logging';
import { startTracingFromEnv } from './tracing';

describe('tracing to a collector that cannot be reached', () => {
  it('says so in the log as a warning, once, instead of dropping spans without a word', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter((line) => line !== '')));
    useRootLogger(createRootLogger({ format: 'json', level: 'info' }, stream));
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const tracing = startTracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, 'storecredit-test');
    expect(tracing).not.toBeNull();
    try {
      for (let i = 0; i < 3; i++) trace.getTracer('test').startSpan(`span ${i}`).end();
      const deadline = Date.now() + 20_000;
      while (!lines.some((line) => line.includes('tracing:')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await tracing?.shutdown().catch(() => undefined);
    }
    const warnings = lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((line) => line.msg.startsWith('tracing:'));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', msg: expect.stringContaining('spans may be dropped') });
  }, 30_000);
});
