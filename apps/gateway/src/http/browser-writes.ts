import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookie, tokenOf } from '../auth/auth.guard';
import type { AuthenticatedRequest } from '../auth/principal';
import { ApiError } from './api-error';

const writeMethods: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * The only body a write takes. Forms, multipart and text/plain are what a page on another site can send without
 * the browser asking us first (no CORS preflight), so refusing them before parsing closes cross-site writes.
 */
const jsonContentType = /^application\/json\s*(;\s*charset\s*=\s*("utf-8"|utf-8)\s*)?$/i;
/** Fetch metadata of a request from our own pages, or one the user started themselves (address bar, bookmark). */
const ownSites: ReadonlySet<string> = new Set(['same-origin', 'none']);

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A write with a body must say it is JSON; a write without one may say nothing. */
export function contentTypeRefusal(request: FastifyRequest): ApiError | null {
  if (!writeMethods.has(request.method)) return null;
  const contentType = request.headers['content-type'];
  if (contentType === undefined ? !hasBody(request) : jsonContentType.test(contentType)) return null;
  return new ApiError('unsupported_media_type', { contentType: contentType ?? null });
}

function originOf(value: string): URL | null {
  // "null" from a sandboxed frame or a data: URL is no origin at all.
  return URL.canParse(value) ? new URL(value) : null;
}

/**
 * A write carried by the session cookie must come from our own pages: the browser sends the cookie with any
 * request from the same site (another port of the same host included), so the cookie alone proves nothing.
 * Our own origin is the Host the request came to (its scheme is not compared: TLS may end at a proxy); the
 * configured origins may write from another site. A bearer token is never sent by a browser on its own, so
 * such writes are not checked.
 */
export function crossSiteRefusal(request: FastifyRequest, allowedOrigins: ReadonlySet<string>): ApiError | null {
  if (!writeMethods.has(request.method) || !isCookieAuthenticated(request)) return null;
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin === undefined ? undefined : originOf(request.headers.origin);
  if (origin && allowedOrigins.has(origin.origin)) return null;
  if (site !== undefined && !ownSites.has(site)) return new ApiError('cross_site_request', { secFetchSite: site });
  if (origin === null || (origin && origin.host !== request.headers.host?.toLowerCase())) {
    return new ApiError('cross_site_request', { origin: request.headers.origin });
  }
  return null;
}

function isCookieAuthenticated(request: FastifyRequest): boolean {
  const cookie = (request as AuthenticatedRequest & { cookies?: Record<string, string | undefined> }).cookies?.[sessionCookie];
  return cookie !== undefined && tokenOf(request) === cookie;
}

/** Fastify onRequest hook: refuses before the body is read, so a refused write changes nothing. */
export function browserWriteChecks(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const refusal = contentTypeRefusal(request) ?? crossSiteRefusal(request, allowed);
    return refusal ? reply.status(refusal.status).send({ error: refusal.body() }) : undefined;
  };
}

/** The host name a request was sent to, without its port ("[::1]" keeps its brackets). */
export function hostNameOf(hostHeader: string | undefined): string | null {
  if (hostHeader === undefined || hostHeader === '') return null;
  const match = /^(\[[^\]]*\]|[^:]+)(:\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return match ? match[1] : null;
}

/** Fastify onRequest hook: a request to a host name we do not answer to is refused before anything else runs. */
export function hostCheck(allowedHosts: readonly string[] | null) {
  const allowed = new Set(allowedHosts ?? []);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (allowedHosts === null) return undefined;
    const name = hostNameOf(request.headers.host);
    if (name !== null && allowed.has(name)) return undefined;
    const refusal = new ApiError('invalid_host', { host: request.headers.host ?? null, allowedHosts: [...allowed] }, 'This server answers only to ' + [...allowed].join(', ') + '; set ALLOWED_HOSTS to reach it by another name');
    return reply.status(refusal.status).send({ error: refusal.body() });
  };
}
