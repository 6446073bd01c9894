/**
 * An expected outcome a handler answers with an error: `{ code, message }` with a code of the one
 * closed set (`@fleet/core` error-codes.ts) and that code's status, through the app's error handler.
 */
import { errorCodes, type ErrorCode } from '@fleet/core';
import type { FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';

export class AnswerError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AnswerError';
    this.statusCode = errorCodes[code];
  }
}

/** The Fastify instance the route modules register on: TypeBox schemas type the handlers. */
export type DataApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger,
  TypeBoxTypeProvider
>;
