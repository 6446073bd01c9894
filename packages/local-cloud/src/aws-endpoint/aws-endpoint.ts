/**
 * One port for every AWS API of the local cloud (as LocalStack's 4566): a request is routed by
 * the service named in its SigV4 credential scope, so any SDK or AWS tool pointed at
 * `AWS_ENDPOINT_URL` reaches the right stand-in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AwsRequest, AwsServiceHandler } from './aws-request.ts';
import { identifyService } from './aws-request.ts';
import { AwsError } from './aws-error.ts';
import { jsonError } from './json-protocol.ts';

export interface AwsEndpointOptions {
  /** Handlers by SigV4 signing name. */
  readonly handlers: Readonly<Record<string, AwsServiceHandler>>;
  /** Extra plain HTTP routes served before AWS routing (e.g. Cognito's JWKS), by exact path prefix. */
  readonly httpRoutes?: readonly { readonly prefix: string; readonly handler: AwsServiceHandler }[];
  readonly log?: Logger;
  /** Largest request body accepted; S3 uploads are the big ones. */
  readonly maxBodyBytes?: number;
}

export function createAwsEndpoint(options: AwsEndpointOptions): Server {
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.log?.error({ err }, 'aws endpoint failure');
      if (!res.headersSent) send(res, jsonError(err));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    allowBrowsers(req, res);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req, maxBody);
    const identified = identifyService(req.headers, url.searchParams);
    const awsRequest: AwsRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      rawUrl: req.url ?? '/',
      query: url.searchParams,
      headers: req.headers,
      body,
      service: identified.service ?? '',
      operation: identified.operation,
      accessKeyId: identified.accessKeyId,
    };
    const route = options.httpRoutes?.find((r) => url.pathname.startsWith(r.prefix));
    if (route) return send(res, await route.handler(awsRequest));
    const handler = identified.service ? options.handlers[identified.service] : undefined;
    if (!handler) {
      const known = Object.keys(options.handlers).join(', ');
      return send(
        res,
        jsonError(
          new AwsError(
            'UnknownServiceException',
            identified.service
              ? `The local cloud does not serve the AWS service "${identified.service}" (served: ${known})`
              : `Request is not SigV4-signed and names no known X-Amz-Target; cannot tell which AWS service it is for (served: ${known})`,
          ),
        ),
      );
    }
    const started = Date.now();
    const response = await handler(awsRequest);
    options.log?.debug(
      {
        service: identified.service,
        operation: identified.operation,
        method: req.method,
        path: url.pathname,
        status: response.status,
        ms: Date.now() - started,
      },
      'aws request',
    );
    send(res, response);
  }
}

/**
 * Browsers call Cognito directly (sign-up, sign-in, identity credentials), as the web app does on
 * AWS where Cognito answers CORS for any origin; the local endpoint does the same.
 */
function allowBrowsers(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE, HEAD, OPTIONS');
  res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '*');
  res.setHeader('access-control-expose-headers', 'x-amzn-requestid, x-amzn-errortype, x-amz-request-id, etag');
  res.setHeader('access-control-max-age', '600');
}

function send(res: ServerResponse, response: { status: number; headers?: Readonly<Record<string, string>>; body?: string | Buffer }): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new AwsError('EntityTooLarge', `Request body exceeds ${max} bytes`, 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
