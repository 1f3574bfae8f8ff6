import { Catch, HttpException, Logger, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { InvalidCommandError } from '@storecredit/contracts';
import { errorCodes as fastifyErrors, type FastifyReply, type FastifyRequest } from 'fastify';
import { ZodValidationException } from 'nestjs-zod';
import type { ZodError } from 'zod';
import { ApiError, httpErrorMessages, type HttpErrorCode } from './api-error';

/** One error shape for every failure; a 500 only for our own bugs, logged with its stack. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (exception instanceof NotFoundException && isWebAppRoute(request, reply)) {
      void reply.type('text/html').sendFile('index.html');
      return;
    }
    const error = this.toApiError(exception);
    if (error.status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    void reply.status(error.status).headers(error.headers).send({ error: error.body() });
  }

  private toApiError(exception: unknown): ApiError {
    if (exception instanceof ApiError) return exception;
    if (exception instanceof ZodValidationException) return fromZod(exception.getZodError() as ZodError);
    if (exception instanceof InvalidCommandError) {
      return new ApiError(exception.code === 'invalid_amount' ? 'invalid_amount' : 'invalid_request', { reason: exception.reason }, exception.reason);
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    const status = (exception as { statusCode?: number }).statusCode;
    const fastifyCode = (exception as { code?: string }).code;
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('payload_too_large');
    if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return new ApiError('malformed_json', undefined, (exception as Error).message);
    }
    if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError('unsupported_media_type');
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return new ApiError(exception instanceof SyntaxError ? 'malformed_json' : 'invalid_request', undefined, (exception as Error).message);
    }
    return new ApiError('internal_error');
  }
}

function fromZod(error: ZodError): ApiError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const amountIssue = error.issues.some((issue) => issue.path.some((part) => typeof part === 'string' && /^amount/i.test(part)));
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
  return new ApiError(namedCode(error) ?? (amountIssue ? 'invalid_amount' : 'invalid_request'), { issues }, summary);
}

/** A schema's rule may name its own stable code (`params.code` of a custom issue); the first such code answers. */
function namedCode(error: ZodError): HttpErrorCode | undefined {
  for (const issue of error.issues) {
    const code = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
    if (typeof code === 'string' && Object.hasOwn(httpErrorMessages, code)) return code as HttpErrorCode;
  }
  return undefined;
}

/**
 * Nest turns Fastify's body-parser errors into a plain HttpException with Fastify's message and status, so a
 * body that is not JSON is recognised by that message (Fastify 5 no longer reports it as a SyntaxError).
 */
const invalidJsonMessage = new fastifyErrors.FST_ERR_CTP_INVALID_JSON_BODY().message;

function fromHttpException(exception: HttpException): ApiError {
  const status = exception.getStatus();
  if (status === 400 && exception.message === invalidJsonMessage) return new ApiError('malformed_json');
  if (status === 404) return new ApiError('not_found', undefined, 'No such route');
  if (status === 413) return new ApiError('payload_too_large');
  if (status === 415) return new ApiError('unsupported_media_type');
  if (status === 429) return new ApiError('too_many_requests');
  if (status === 401) return new ApiError('unauthenticated');
  if (status === 403) return new ApiError('forbidden');
  if (status >= 400 && status < 500) return new ApiError('invalid_request', undefined, exception.message);
  return new ApiError('internal_error');
}

/** A page of the web app (served when its build is present): any GET outside /api that matched no file. */
function isWebAppRoute(request: FastifyRequest, reply: FastifyReply): boolean {
  const canSendFile = typeof (reply as FastifyReply & { sendFile?: unknown }).sendFile === 'function';
  return canSendFile && request.method === 'GET' && !request.url.startsWith('/api');
}
