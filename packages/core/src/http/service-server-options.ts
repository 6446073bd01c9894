/**
 * The HTTP options every Fleet service passes to Fastify (spread into `Fastify({ ... })`): its body
 * limit, Fleet's HTTP server (time limits, HTTP/0.9 guard), and parser and router errors answered
 * as `{ code, message }`. Structural types, so that this package needs no Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpTimeouts } from '../http-limits.ts';
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
