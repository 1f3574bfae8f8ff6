import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpRequestSeconds } from '@storecredit/observability';
import { ApiError } from './http/api-error';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Clock } from '@storecredit/ledger';
import { appLogger, requestIdOf } from '@storecredit/observability';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { GatewayConfig } from './gateway.config';
import { GatewayModule, type GatewayDatabase } from './gateway.module';
import { browserWriteChecks, hostCheck } from './http/browser-writes';
import { traceRequests } from './http/http-tracing';

export const bodyBytesMax = 16 * 1024;

/** Builds the gateway application (not yet listening), so tests drive it exactly as main.ts does. */
export async function createGatewayApp(config: GatewayConfig, database: GatewayDatabase, clock?: Clock): Promise<NestFastifyApplication> {
  // Path parameters carry ids of up to 128 characters (the contract's ids); Fastify's default stops at 100.
  const adapter = new FastifyAdapter({
    bodyLimit: bodyBytesMax,
    trustProxy: false,
    routerOptions: { maxParamLength: 256 },
    // The request id of the log lines, answered in X-Request-Id so a caller can quote it.
    genReqId: requestIdOf,
    // An address the router cannot read (a broken percent-encoding, a path segment past 256 characters) is a user's
    // mistake: our error shape and a 400, never Fastify's own body echoing the address back.
    frameworkErrors: (error: Error & { code?: string }, _request: unknown, reply: FastifyReply) => {
      const badAddress = new ApiError('invalid_request', { reason: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'path_segment_too_long' : 'malformed_address' }, 'The address is not valid: check its encoding and length');
      void reply.status(badAddress.status).send({ error: badAddress.body() });
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, database, clock), adapter, {
    logger: appLogger(),
  });
  // Headers first, so every answer carries them, refusals included; then cookies, which the write checks read.
  await app.register(fastifyHelmet, securityHeaders);
  await app.register(fastifyCookie);
  // First of the request hooks, so that a request the later ones refuse has its span too.
  traceRequests(app.getHttpAdapter().getInstance());
  app.getHttpAdapter().getInstance().addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.getHttpAdapter().getInstance().addHook('onRequest', hostCheck(config.allowedHosts));
  app.getHttpAdapter().getInstance().addHook('onRequest', browserWriteChecks(config.allowedOrigins));
  app.getHttpAdapter().getInstance().addHook('onResponse', recordHttpRequest);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('storecredit gateway')
      .setDescription('Store-credit balances, history, gift cards, checkout and refunds. Errors: { error: { code, message, details } }.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup(docsPath.slice(1), app, cleanupOpenApiDoc(document), { jsonDocumentUrl: 'api/openapi.json' });
  await serveWebApp(app, config);
  await app.init();
  return app;
}

const docsPath = '/api/docs';

/**
 * Every answer's duration by route template (`/api/clients/:clientId`, never the address itself, which carries
 * ids); an address no route matched is `unmatched`.
 */
async function recordHttpRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  httpRequestSeconds.observe(
    { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
    reply.elapsedTime / 1000,
  );
}

/**
 * Everything from our own origin only, and never inside a frame. Swagger UI's page at /api/docs carries inline
 * <style> blocks and style attributes, so that page alone may use inline styles; scripts stay self-only everywhere.
 */
const securityHeaders = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: [(request: IncomingMessage) => (request.url?.startsWith(docsPath) ? "'self' 'unsafe-inline'" : "'self'")],
    },
  },
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
};

/** The staff web app's static build, served at `/`. */
async function serveWebApp(app: NestFastifyApplication, config: GatewayConfig): Promise<void> {
  const root = resolve(config.webDir);
  if (!existsSync(resolve(root, 'index.html'))) {
    new Logger('Gateway').warn(`no web app build at ${root}; the API is served without it`);
    return;
  }
  // Files are routed one by one; any other GET outside /api falls through to the 404 of ApiExceptionFilter,
  // which answers index.html so the web app's own routes (/clients/42) load on refresh.
  await app.register(fastifyStatic, { root, wildcard: false });
}
