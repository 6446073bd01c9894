/**
 * Forwards an `AwsRequest` received by the local AWS endpoint to a stand-in child process
 * listening on loopback, and answers the child's response unchanged (status, headers, body).
 */
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AwsRequest, AwsResponse } from '../aws-endpoint/index.ts';

/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; the body is re-framed by Node. */
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export interface ForwardTarget {
  readonly port: number;
  readonly agent: Agent;
}

export function createForwardTarget(port: number): ForwardTarget {
  return { port, agent: new Agent({ keepAlive: true, maxSockets: 64 }) };
}

export interface ForwardedRequest {
  readonly method: string;
  /** Path and query as sent upstream. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends the request to 127.0.0.1:<port> and buffers the answer. */
export function forwardHttp(target: ForwardTarget, req: ForwardedRequest): Promise<AwsResponse> {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !hopByHop.has(name)) headers[name] = value;
  }
  headers['content-length'] = String(req.body.length);
  return new Promise<AwsResponse>((resolve, reject) => {
    const upstream = request(
      { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers, agent: target.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined || hopByHop.has(name)) continue;
            responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 502, headers: responseHeaders, body: Buffer.concat(chunks) });
        });
      },
    );
    upstream.on('error', reject);
    upstream.end(req.body);
  });
}

/** Forwards an endpoint request as is. */
export const forwardAwsRequest = (target: ForwardTarget, req: AwsRequest) =>
  forwardHttp(target, { method: req.method, url: req.rawUrl, headers: req.headers, body: req.body });
