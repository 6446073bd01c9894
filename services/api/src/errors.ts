/**
 * One error model for the whole API: every 4xx answers `{ code, message }` with a code of the one
 * closed set in `@fleet/core` (`errorCodes`, shared with the gateway and the Data Service), every
 * 5xx answers a generic body and logs the details (they may name tables, ARNs or stack frames).
 */
import { boundedMessage, errorCodeForStatus, errorCodes, type ErrorCode } from '@fleet/core';
import { keepConnectionAfterBodyError } from '@fleet/core/http';
import type { FastifyError, FastifyInstance } from 'fastify';

export type { ErrorCode };

/** An expected failure, answered as `{ code, message }` with its status. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Extra response headers (e.g. `WWW-Authenticate` on 401). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    code: ErrorCode,
    message: string,
    options: { headers?: Readonly<Record<string, string>>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = statusCode;
    this.headers = options.headers ?? {};
  }
}

/** An `ApiError` for one of the codes, with its status. */
export function apiError(
  code: ErrorCode,
  message: string,
  options: { headers?: Readonly<Record<string, string>>; cause?: unknown } = {},
): ApiError {
  return new ApiError(errorCodes[code], code, message, options);
}

/** Fastify's own client errors (body parsing, content type, size), in the closed set. */
function fastifyClientError(error: FastifyError, status: number): { code: ErrorCode; message: string } {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PayloadTooLarge', message: 'The request body is larger than this route accepts (see the OpenAPI document)' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UnsupportedMediaType', message: 'Send the body as application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'MalformedRequest', message: 'The body is empty but its content type is application/json' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'MalformedRequest', message: 'The body is not valid JSON' };
    default:
      return { code: errorCodeForStatus(status), message: error.message };
  }
}

/** Installs the error and not-found handlers on an app. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.statusCode >= 500) request.log.error({ err: error.cause ?? error, code: error.code }, error.message);
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send({ code: error.code, message: boundedMessage(error.message) });
    }
    if ('validation' in error && error.validation) {
      // Fastify's message names the part and the field: "body/name must NOT have fewer than 1 characters".
      return reply.code(400).send({ code: 'ValidationError', message: boundedMessage(error.message) });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      if (error.code?.startsWith('FST_ERR_CTP_')) keepConnectionAfterBodyError(request, reply);
      const answer = fastifyClientError(error, status);
      return reply.code(status).send({ ...answer, message: boundedMessage(answer.message) });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ code: 'InternalError', message: 'Internal server error' });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return reply
      .code(404)
      .send({ code: 'NotFound', message: `Route ${request.method} ${path.length > 100 ? `${path.slice(0, 100)}…` : path} not found` });
  });
}
