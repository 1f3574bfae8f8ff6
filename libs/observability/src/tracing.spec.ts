import { contextFromKafkaHeaders, startInMemoryTracing, traceHeaders, tracingEnabled, tracingSettingsFromEnv } from './tracing';
import { trace } from '@opentelemetry/api';

describe(tracingSettingsFromEnv.name, () => {
  it('leaves tracing off when no variable asks for it', () => {
    expect(tracingSettingsFromEnv({}, 'storecredit-gateway')).toBeNull();
    expect(tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'x')).toBeNull();
    expect(tracingSettingsFromEnv({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }, 'x')).toBeNull();
  });

  it('turns tracing on by OTEL_TRACES_EXPORTER=otlp or by an OTLP endpoint, with the service name of the process or OTEL_SERVICE_NAME', () => {
    expect(tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' }, 'storecredit-gateway')).toEqual({ serviceName: 'storecredit-gateway' });
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, 'w')).toEqual({ serviceName: 'w' });
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'ledger-eu' }, 'w')).toEqual({ serviceName: 'ledger-eu' });
  });

  it('refuses an exporter it does not ship and an endpoint that is no URL, naming the variable', () => {
    expect(() => tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' }, 'x')).toThrow(/OTEL_TRACES_EXPORTER must be "otlp" or "none".*zipkin/);
    expect(() => tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'x')).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
    expect(() => tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://' }, 'x')).toThrow(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
  });
});

describe(startInMemoryTracing.name, () => {
  it('records spans while installed, carries them in W3C headers, and is off again after shutdown', async () => {
    const tracing = startInMemoryTracing('test');
    try {
      expect(tracingEnabled()).toBe(true);
      expect(() => startInMemoryTracing('again')).toThrow(/already installed/);
      const span = trace.getTracer('spec').startSpan('work');
      const headers = traceHeaders(trace.setSpan(contextFromKafkaHeaders(undefined), span));
      expect(headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      const received = contextFromKafkaHeaders({ traceparent: Buffer.from(headers.traceparent) });
      expect(trace.getSpanContext(received)?.spanId).toBe(span.spanContext().spanId);
      span.end();
      expect(tracing.exporter.getFinishedSpans().map((finished) => finished.name)).toEqual(['work']);
    } finally {
      await tracing.shutdown();
    }
    expect(tracingEnabled()).toBe(false);
    expect(traceHeaders(trace.setSpan(contextFromKafkaHeaders(undefined), trace.getTracer('spec').startSpan('after')))).toEqual({});
  });
});
