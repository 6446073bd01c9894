/**
 * One error model for the whole API: every 4xx answers `{ code, message }`, every 5xx answers a
 * generic body and logs the details (they may name tables, ARNs or stack frames).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from 'typebox';

/** The body of every error response. */
export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable, machine-readable error code', examples: ['DeviceNotFound'] }),
    message: Type.String({ description: 'Human-readable explanation' }),
  },
  { title: 'Error' },
);

/** The closed set of codes this API answers with, and their HTTP status. */
export const errorStatus = {
  ValidationError: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  DeviceNotFound: 404,
  UserNotFound: 404,
  InvalidIdToken: 400,
  DeviceExists: 409,
  DataServiceUnavailable: 502,
  AuthUnavailable: 503,
  InternalError: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** An expected failure, answered as `{ code, message }` with its status. */
export class ApiError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** Extra response headers (e.g. `WWW-Authenticate` on 401). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, code: string, message: string, options: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = statusCode;
    this.headers = options.headers ?? {};
  }
}

/** An `ApiError` for one of this API's own codes. */
export function apiError(code: ErrorCode, message: string, options: { headers?: Record<string, string>; cause?: unknown } = {}): ApiError {
  return new ApiError(errorStatus[code], code, message, options);
}

/** Installs the error and not-found handlers on an app. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.statusCode >= 500) request.log.error({ err: error.cause ?? error, code: error.code }, error.message);
      return reply.code(error.statusCode).headers(error.headers).send({ code: error.code, message: error.message });
    }
    if ('validation' in error && error.validation) {
      // Fastify's message names the part and the field: "body/name must NOT have fewer than 1 characters".
      return reply.code(400).send({ code: 'ValidationError', message: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, unsupported media type, body too large.
      return reply.code(status).send({ code: error.code ?? 'BadRequest', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ code: 'InternalError', message: 'Internal server error' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 'NotFound', message: `Route ${request.method} ${request.url.split('?')[0]} not found` }),
  );
}
