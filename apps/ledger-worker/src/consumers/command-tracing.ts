import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { headerNames, type Command } from '@storecredit/contracts';
import { contextFromKafkaHeaders, traceParentOf, tracer, tracerNames, withoutTracing } from '@storecredit/observability';
import type { CommandTraces } from '@storecredit/ledger';
import type { KafkaMessage } from 'kafkajs';

/**
 * The consumer span of one command message, child of the producer's span its `traceparent` header names; none for
 * a message without one (a producer that does not trace): a root trace per untraced command would be thousands a
 * second. Called only while tracing is on.
 */
export function startProcessSpan(command: Command, topic: string, partition: number, message: KafkaMessage): Span | undefined {
  if (message.headers?.[headerNames.traceParent] === undefined) return undefined;
  return tracer(tracerNames.worker).startSpan(
    `process ${command.type}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(message.offset),
        'storecredit.command.type': command.type,
        'storecredit.command.id': command.commandId,
      },
    },
    contextFromKafkaHeaders(message.headers),
  );
}

/** A command of the group with the span of its message, if traced. */
export interface TracedCommand {
  command: Command;
  span?: Span;
}

/**
 * Runs the group's apply under one `apply group` span. A group mixes many traces (one per traced message): the span
 * is a child of the first traced message's span and links to the others', so each trace finds the group that
 * applied it, and the database statements are its children. A group with no traced message is applied with tracing
 * suppressed, so that its statements make no traces of their own. Each traced command's events keep its span's
 * traceparent (CommandTraces).
 */
export async function applyTraced<T>(items: readonly TracedCommand[], apply: (traces: CommandTraces | undefined) => Promise<T>): Promise<T> {
  const traced = items.filter((item): item is Required<TracedCommand> => item.span !== undefined);
  if (traced.length === 0) return withoutTracing(() => apply(undefined));
  const traces = new Map<Command, string>();
  for (const { command, span } of traced) {
    const traceParent = traceParentOf(span);
    if (traceParent !== undefined) traces.set(command, traceParent);
  }
  const [first, ...others] = traced.map((item) => item.span);
  const group = tracer(tracerNames.worker).startSpan(
    'apply group',
    {
      links: others.map((span) => ({ context: span.spanContext() })),
      attributes: { 'storecredit.group.commands': items.length, 'storecredit.group.traced': traced.length },
    },
    trace.setSpan(ROOT_CONTEXT, first),
  );
  try {
    return await context.with(trace.setSpan(ROOT_CONTEXT, group), () => apply(traces));
  } catch (error) {
    group.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    for (const { span } of traced) endSpan(span, error);
    throw error;
  } finally {
    group.end();
  }
}

/** Ends a message's span once its reply is published (or its publish failed). */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
  span.end();
}
