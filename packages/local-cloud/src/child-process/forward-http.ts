/**
 * Forwards an `AwsRequest` received by the local AWS endpoint to a stand-in child process
 * listening on loopback, and answers the child's response unchanged (status, headers, body).
 */
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AwsRequest, AwsResponse } from '../aws-endpoint/index.ts';

/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; the body is re-framed by Node. */
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export interface ForwardTarget {
  /** The stand-in's name, for the unavailable message. */
  readonly name: string;
  /** Where the stand-in listens now; undefined while it is down (see `supervisor.ts`). */
  port(): number | undefined;
  readonly agent: Agent;
}

/** A target that follows the supervised child's current port. */
export function createForwardTarget(name: string, port: () => number | undefined): ForwardTarget {
  return { name, port, agent: new Agent({ keepAlive: true, maxSockets: 64 }) };
}

/**
 * The stand-in could not be reached, or dropped the connection before answering: it is down or
 * restarting. Stand-in handlers turn this into the answer AWS gives when a service is unavailable.
 */
export class StandInUnavailable extends Error {
  constructor(
    target: ForwardTarget,
    cause?: unknown,
    /**
     * The request cannot have reached it: no port, or the connection was refused. Also true for an
     * idempotent request (RFC 9110 §9.2.2) on a kept-alive socket the peer had already closed:
     * Node's documented case for a retry (`request.reusedSocket`).
     */
    readonly neverReached = cause === undefined,
  ) {
    super(`The local ${target.name} is restarting; retry the request.`, cause === undefined ? {} : { cause });
    this.name = 'StandInUnavailable';
  }
}

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export interface ForwardedRequest {
  readonly method: string;
  /** Path and query as sent upstream. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Sends the request to 127.0.0.1:<port> and buffers the answer. Rejects with `StandInUnavailable`
 * when the stand-in is down or the connection fails: the child is on loopback, so every socket
 * error means it died or is restarting.
 */
export function forwardHttp(target: ForwardTarget, req: ForwardedRequest): Promise<AwsResponse> {
  const port = target.port();
  if (port === undefined) return Promise.reject(new StandInUnavailable(target));
  const unavailable = (err: unknown) => new StandInUnavailable(target, err);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !hopByHop.has(name)) headers[name] = value;
  }
  headers['content-length'] = String(req.body.length);
  return new Promise<AwsResponse>((resolve, reject) => {
    const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent: target.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => reject(unavailable(err)));
      res.on('end', () => {
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined || hopByHop.has(name)) continue;
          responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: res.statusCode ?? 502, headers: responseHeaders, body: Buffer.concat(chunks) });
      });
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      const refused = err.code === 'ECONNREFUSED';
      const closedWhileIdle = upstream.reusedSocket && err.code === 'ECONNRESET' && idempotent.has(req.method.toUpperCase());
      reject(new StandInUnavailable(target, err, refused || closedWhileIdle));
    });
    upstream.end(req.body);
  });
}

/** Forwards an endpoint request as is. */
export const forwardAwsRequest = (target: ForwardTarget, req: AwsRequest) =>
  forwardHttp(target, { method: req.method, url: req.rawUrl, headers: req.headers, body: req.body });
