import { SpanKind } from '@opentelemetry/api';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { commandKey, headerNames } from '@storecredit/contracts';
import { createKafka } from '@storecredit/messaging';
import { startInMemoryTracing, tracerNames, type Tracing } from '@storecredit/observability';
import { command, KafkaTestClient, testBrokers, uniqueId, waitUntil } from '@storecredit/testing';
import { randomBytes } from 'node:crypto';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from './support';

/** A caller's span, as a service in front of the gateway would send it. */
const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpanId = '00f067aa0ba902b7';
const callerTraceParent = `00-${callerTraceId}-${callerSpanId}-01`;
const ledgerTracerName = 'storecredit-ledger';
const addRoute = 'POST /api/clients/:clientId/balance/add';

function traceParentOf(span: ReadableSpan): string {
  return `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
}

/**
 * One trace from the HTTP request to the event, through the real broker: the gateway and the worker in this process
 * (startLedgerStack), spans recorded in memory.
 */
describe('traces across Kafka', () => {
  let tracing: Tracing & { exporter: InMemorySpanExporter };
  let stack: LedgerStack;
  let observer: KafkaTestClient;
  let biz: SeededBusiness;

  beforeAll(async () => {
    tracing = startInMemoryTracing();
    stack = await startLedgerStack();
    observer = new KafkaTestClient(stack.prefix);
    await observer.start();
    biz = await seedBusiness(stack.app, permissions);
  });

  afterAll(async () => {
    await observer?.stop();
    await stack?.stop();
    await tracing?.shutdown();
  });

  /** Adds credit over HTTP and waits for the command's reply and event on the broker. */
  async function addCredit(headers: Record<string, string>) {
    const answer = await stack.http
      .as(biz.ownerToken)
      .post<{ commandId: string; status: string }>(`/api/clients/${biz.clientId}/balance/add`, { amount: '12.50', currency: 'AED' }, headers);
    expect(answer.status).toBe(200);
    const { commandId } = answer.body;
    await waitUntil(() => observer.repliesFor(commandId).length > 0, `the reply to ${commandId}`);
    await waitUntil(() => observer.events.some((event) => event.json().commandId === commandId), `the event of ${commandId}`);
    const reply = observer.replies.find((received) => received.json().commandId === commandId);
    const event = observer.events.find((received) => received.json().commandId === commandId);
    return { commandId, reply: reply!, event: event! };
  }

  it('follows one write from the HTTP request through the command topic, the group apply and the database to the reply and the event', async () => {
    tracing.exporter.reset();
    const { commandId, reply, event } = await addCredit({ [headerNames.traceParent]: callerTraceParent });
    const spansOfTrace = () => tracing.exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === callerTraceId);
    // The server span ends once the answer is sent, the process span once the reply is published, the publish span
    // once the event is: all soon after.
    await waitUntil(() => [addRoute, 'process balance.add', 'publish event'].every((name) => spansOfTrace().some((span) => span.name === name)), 'the last spans');
    const spans = spansOfTrace();
    const one = (name: string): ReadableSpan => {
      const found = spans.filter((span) => span.name === name);
      expect(found.map((span) => span.name)).toEqual([name]);
      return found[0];
    };
    const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

    const server = one(addRoute);
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.instrumentationScope.name).toBe(tracerNames.gateway);
    expect(parentOf(server)).toBe(callerSpanId);
    expect(server.attributes['http.response.status_code']).toBe(200);

    const send = one(`send ${stack.prefix}.commands.gateway.v1`);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(send)).toBe(server.spanContext().spanId);
    expect(send.attributes['storecredit.command.id']).toBe(commandId);

    const processed = one('process balance.add');
    expect(processed.kind).toBe(SpanKind.CONSUMER);
    expect(processed.instrumentationScope.name).toBe(tracerNames.worker);
    expect(parentOf(processed)).toBe(send.spanContext().spanId);

    const group = one('apply group');
    expect(parentOf(group)).toBe(processed.spanContext().spanId);
    for (const name of ['read group', 'write group']) {
      const statement = one(name);
      expect(statement.kind).toBe(SpanKind.CLIENT);
      expect(statement.instrumentationScope.name).toBe(ledgerTracerName);
      expect(parentOf(statement)).toBe(group.spanContext().spanId);
    }

    const published = one('publish event');
    expect(published.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(published)).toBe(processed.spanContext().spanId);

    // The reply continues from the command's process span, the event from its publish span: its consumers join the trace.
    expect(reply.headers[headerNames.traceParent]).toBe(traceParentOf(processed));
    expect(event.headers[headerNames.traceParent]).toBe(traceParentOf(published));
  });

  it('starts a trace of its own for a request that brings none', async () => {
    tracing.exporter.reset();
    const { reply } = await addCredit({});
    const traceId = reply.headers[headerNames.traceParent]?.split('-')[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const serverSpan = () => tracing.exporter.getFinishedSpans().find((span) => span.name === addRoute);
    await waitUntil(() => serverSpan() !== undefined, 'the server span');
    const server = serverSpan();
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext).toBeUndefined();
  });

  it('ignores a malformed traceparent and starts a new trace instead', async () => {
    tracing.exporter.reset();
    const { reply } = await addCredit({ [headerNames.traceParent]: '00-not-a-trace-01' });
    expect(reply.headers[headerNames.traceParent]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('applies several traced commands in one group: one apply group span, linked to each, and each event in its own trace', async () => {
    tracing.exporter.reset();
    const clientId = uniqueId('client');
    // One wallet, one produce request: the worker takes them in one fetch of one partition, so in one group.
    const commands = [1, 2, 3].map(() => command('balance.add', { businessId: biz.businessId, clientId, currency: 'AED', amount: '1.00' }));
    const traceIds = commands.map(() => randomBytes(16).toString('hex'));
    const producer = createKafka(testBrokers, `tracing-test-${stack.prefix}`).producer();
    await producer.connect();
    try {
      await producer.send({
        topic: `${stack.prefix}.commands.gateway.v1`,
        acks: -1,
        messages: commands.map((sent, index) => ({
          key: commandKey(sent),
          value: JSON.stringify(sent),
          headers: { [headerNames.traceParent]: `00-${traceIds[index]}-${randomBytes(8).toString('hex')}-01` },
        })),
      });
    } finally {
      await producer.disconnect();
    }
    const eventOf = (commandId: string) => observer.events.find((event) => event.json().commandId === commandId);
    await waitUntil(() => commands.every((sent) => eventOf(sent.commandId) !== undefined), 'the three events');
    await waitUntil(() => tracing.exporter.getFinishedSpans().filter((span) => span.name === 'publish event').length === 3, 'three publish spans');

    const finished = tracing.exporter.getFinishedSpans();
    const processed = traceIds.map((traceId) => finished.find((span) => span.name === 'process balance.add' && span.spanContext().traceId === traceId)!);
    expect(processed.every((span) => span !== undefined)).toBe(true);
    const groups = finished.filter((span) => span.name === 'apply group');
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group.parentSpanContext?.spanId).toBe(processed[0].spanContext().spanId);
    expect(group.links.map((link) => link.context.spanId)).toEqual([processed[1].spanContext().spanId, processed[2].spanContext().spanId]);
    commands.forEach((sent, index) => {
      // Each command's event continues its own trace, whichever trace the group's span belongs to.
      expect(eventOf(sent.commandId)?.headers[headerNames.traceParent]?.split('-')[1]).toBe(traceIds[index]);
      expect(observer.repliesFor(sent.commandId)).toHaveLength(1);
    });
  });

  it('exports nothing and adds no trace header once tracing is off', async () => {
    await tracing.shutdown();
    tracing.exporter.reset();
    const { reply, event } = await addCredit({ [headerNames.traceParent]: callerTraceParent });
    expect(reply.headers[headerNames.traceParent]).toBeUndefined();
    expect(event.headers[headerNames.traceParent]).toBeUndefined();
    expect(tracing.exporter.getFinishedSpans()).toEqual([]);
  });
});
