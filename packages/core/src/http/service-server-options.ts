/**
 * The HTTP options every Fleet service passes to Fastify (spread into `Fastify({ ... })`): its body
 * limit, Fleet's HTTP server (time limits, HTTP/0.9 guard), and parser and router errors answered
 * as `{ code, message }`. Structural types, so that this package needs no Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyLimits, httpTimeouts } from '../http-limits.ts';
import { answerClientError, frameworkErrorAnswer } from './client-error.ts';
import { createFleetHttpServer } from './http-server.ts';

/** What the answer needs of Fastify's reply (`never`: any send signature fits). */
interface ReplyLike {
  code(status: number): { send(body: never): unknown };
}

export function serviceServerOptions(options: { readonly bodyLimit: number }) {
  return {
    bodyLimit: options.bodyLimit,
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
      createFleetHttpServer({ keepAliveTimeoutMs: httpTimeouts.serviceKeepAlive, answerClientErrors: false }, handler),
    clientErrorHandler: answerClientError,
    frameworkErrors: (error: { code?: string; statusCode?: number }, _request: unknown, reply: ReplyLike): void => {
      const { status, body } = frameworkErrorAnswer(error);
      void reply.code(status).send(body as never);
    },
  };
}

/**
 * Call from the error handler on a body error (too large, malformed). Fastify then asks for
 * `Connection: close` so that no more of the body is read; but a client still sending its body
 * meets a closed socket and sees a reset (EPIPE) instead of the answer. Node drains the rest of an
 * unread body once the answer is sent, so the connection can stay: up to API Gateway's payload
 * limit, and within the request timeout. Above that limit the connection still closes.
 */
export function keepConnectionAfterBodyError(
  request: { headers: Readonly<Record<string, string | string[] | undefined>> },
  reply: { removeHeader(name: string): unknown },
): void {
  if (Number(request.headers['content-length'] ?? 0) <= bodyLimits.apiGateway) reply.removeHeader('connection');
}
