/**
 * The HTTP server every Fleet process listens with (the gateway, the API Service, the Data Service):
 * Node's server with the time limits of `httpTimeouts`, the request-line guard (HTTP/0.9 answered
 * at once) and parser errors answered as `{ code, message }` JSON. A slow client cannot hold a
 * socket past the headers or request timeout, an idle one past the keep-alive timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { httpTimeouts, maxRequestTargetLength } from '../http-limits.ts';
import { answerClientError } from './client-error.ts';
import { guardRequestLines } from './request-line-guard.ts';

export interface FleetHttpServerOptions {
  /** Idle keep-alive time; the gateway's is shorter than the services' (see `httpTimeouts`). */
  readonly keepAliveTimeoutMs: number;
  /**
   * Whether this installs the `clientError` answer; Fastify installs its own listener from its
   * `clientErrorHandler` option, to which services pass `answerClientError` instead.
   * @default true
   */
  readonly answerClientErrors?: boolean;
  /** Shorter limits for tests. @default httpTimeouts */
  readonly timeouts?: Partial<Record<'headers' | 'request' | 'checkInterval', number>>;
}

export function createFleetHttpServer(
  options: FleetHttpServerOptions,
  handler?: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const timeouts = { ...httpTimeouts, ...options.timeouts };
  const server = createServer(
    {
      headersTimeout: timeouts.headers,
      requestTimeout: timeouts.request,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeouts.checkInterval,
    },
    handler,
  );
  // The longest line: a method, the longest target, the version.
  guardRequestLines(server, { timeoutMs: timeouts.headers, maxLineBytes: maxRequestTargetLength + 64 });
  if (options.answerClientErrors ?? true) server.on('clientError', answerClientError);
  return server;
}
