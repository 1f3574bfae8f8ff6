import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { contextFromHttpHeaders, tracer, tracerNames, tracingEnabled } from '@storecredit/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

const requestSpans = new WeakMap<FastifyRequest, Span>();

/**
 * An HTTP server span per request while tracing is on, continuing the caller's `traceparent` if it sent one, named by
 * the route's template (`POST /api/clients/:id/balance/add`) so that requests of one route group together. The
 * span is made the active context only from preHandler on: the body is parsed on the socket's own events, which
 * would not carry a context entered at onRequest, and the controller runs from preHandler's callback.
 */
export function traceRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (tracingEnabled()) requestSpans.set(request, startRequestSpan(request));
    done();
  });
  fastify.addHook('preHandler', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const span = requestSpans.get(request);
    if (span === undefined) return done();
    context.with(trace.setSpan(context.active(), span), done);
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    endRequestSpan(request, reply.statusCode);
    done();
  });
  fastify.addHook('onRequestAbort', (request: FastifyRequest, done: HookHandlerDoneFunction) => {
    endRequestSpan(request, null);
    done();
  });
}

function startRequestSpan(request: FastifyRequest): Span {
  const route = request.routeOptions.url;
  return tracer(tracerNames.gateway).startSpan(
    route === undefined ? request.method : `${request.method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, ...(route === undefined ? {} : { 'http.route': route }), 'url.path': request.url.split('?')[0] },
    },
    contextFromHttpHeaders(request.headers),
  );
}

/** A 5xx is our failure; a 4xx is the caller's, and leaves the server span unset (OpenTelemetry's HTTP conventions). */
function endRequestSpan(request: FastifyRequest, statusCode: number | null): void {
  const span = requestSpans.get(request);
  if (span === undefined) return;
  requestSpans.delete(request);
  if (statusCode === null) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the request' });
  else {
    span.setAttribute('http.response.status_code', statusCode);
    if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
