/**
 * One port for every AWS API of the local cloud (as LocalStack's 4566): a request is routed by
 * the service named in its SigV4 credential scope, so any SDK or AWS tool pointed at
 * `AWS_ENDPOINT_URL` reaches the right stand-in.
 *
 * With `access` (the launcher always passes it) the port behaves as AWS: every request is
 * authenticated (SigV4 against the credentials the local cloud issued) and authorized (IAM, from
 * the shared policy definitions) before a stand-in sees it; only the operations AWS serves without
 * credentials stay open. Browsers are answered only from the platform's own origin, and only
 * requests addressed to a loopback name (or the configured host) are served (DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { accessChecks, authorize, isPublicOperation, type CredentialResolver, type LocalArns, type Principal } from '../iam/index.ts';
import type { AwsRequest, AwsResponse, AwsServiceHandler } from './aws-request.ts';
import { identifyService } from './aws-request.ts';
import { AwsError } from './aws-error.ts';
import { jsonError } from './json-protocol.ts';
import { queryAction, queryProtocolServices } from './query-protocol.ts';
import { accessDeniedError, authenticationError } from './service-errors.ts';
import { verifySigV4 } from './sigv4-verifier.ts';

export interface EndpointAccess {
  /**
   * Finds the credentials behind an access key. Undefined: any SigV4-shaped credentials act as the
   * account root (`--allow-any-credentials`, LocalStack's habit).
   */
  readonly credentials?: CredentialResolver;
  readonly arns: LocalArns;
  /** Origins browsers may call from (the gateway URL under each loopback name). */
  readonly allowedOrigins: ReadonlySet<string>;
  /** Whether a Host header (name without port) addresses this endpoint. */
  isAllowedHost(hostname: string): boolean;
  /** Epoch ms, for the signature date check. @default Date.now */
  readonly now?: () => number;
}

export interface AwsEndpointOptions {
  /** Handlers by SigV4 signing name. */
  readonly handlers: Readonly<Record<string, AwsServiceHandler>>;
  /** Extra plain HTTP routes served before AWS routing (e.g. Cognito's JWKS), by exact path prefix; open to anyone. */
  readonly httpRoutes?: readonly { readonly prefix: string; readonly handler: AwsServiceHandler }[];
  readonly log?: Logger;
  /** Largest request body accepted; S3 uploads are the big ones. */
  readonly maxBodyBytes?: number;
  /** Authentication, authorization, origin and host checks. @default none: any caller, any origin (stand-in tests). */
  readonly access?: EndpointAccess;
}

export function createAwsEndpoint(options: AwsEndpointOptions): Server {
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const { access } = options;
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.log?.error({ err }, 'aws endpoint failure');
      if (!res.headersSent) send(res, jsonError(err));
      else res.destroy();
    });
  });
  // A request Node cannot parse as HTTP/1.1 still gets an AWS-shaped answer, then the connection closes.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify({ __type: 'SerializationException', message: `Malformed HTTP request (${err.code ?? err.message})` });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-errortype: SerializationException\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (access) {
      const refusal = refuseForeignRequest(req, access);
      if (refusal) {
        // The body is not read: close the connection rather than leave it half-consumed.
        res.setHeader('connection', 'close');
        return send(res, refusal);
      }
    }
    allowBrowser(req, res);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    const rawUrl = req.url ?? '/';
    // The path as sent: WHATWG URL parsing would resolve `..` and `%2E%2E` segments (and read
    // `//x` as a host), so a guard would check another path than the one forwarded to a stand-in.
    const queryStart = rawUrl.indexOf('?');
    const path = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const query = new URLSearchParams(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1));
    const body = await readBody(req, maxBody);
    const identified = identifyService(req.headers, query);
    const awsRequest: AwsRequest = {
      method: req.method ?? 'GET',
      path,
      rawUrl,
      query,
      headers: req.headers,
      body,
      service: identified.service ?? '',
      // Query-protocol services name the operation in the `Action` parameter, not in X-Amz-Target.
      operation:
        identified.operation ??
        (identified.service !== undefined && queryProtocolServices.has(identified.service)
          ? queryAction(req.headers, query, body)
          : undefined),
      accessKeyId: identified.accessKeyId,
    };
    const route = options.httpRoutes?.find((r) => path.startsWith(r.prefix));
    if (route) return send(res, await route.handler(awsRequest));
    const service = identified.service;
    const handler = service !== undefined && Object.hasOwn(options.handlers, service) ? options.handlers[service] : undefined;
    if (!handler || service === undefined) {
      const known = Object.keys(options.handlers).join(', ');
      return send(
        res,
        jsonError(
          new AwsError(
            'UnknownServiceException',
            service
              ? `The local cloud does not serve the AWS service "${service}" (served: ${known})`
              : `Request is not SigV4-signed and names no known X-Amz-Target; cannot tell which AWS service it is for (served: ${known})`,
          ),
        ),
      );
    }
    if (access) {
      const refused = await authenticateAndAuthorize(req, awsRequest, access);
      if (refused) return send(res, refused);
    }
    const started = Date.now();
    const response = await handler(awsRequest);
    options.log?.debug(
      { service, operation: identified.operation, method: req.method, path, status: response.status, ms: Date.now() - started },
      'aws request',
    );
    send(res, response);
  }

  /** Undefined when the request may go on to its stand-in; else the AWS-shaped refusal. */
  async function authenticateAndAuthorize(
    req: IncomingMessage,
    awsRequest: AwsRequest,
    access: EndpointAccess,
  ): Promise<AwsResponse | undefined> {
    const { service, operation } = awsRequest;
    if (isPublicOperation(service, operation)) return undefined;
    let principal: Principal;
    if (access.credentials) {
      const verified = await verifySigV4(
        {
          method: awsRequest.method,
          rawUrl: awsRequest.rawUrl,
          headers: req.headers,
          headersDistinct: req.headersDistinct,
          body: awsRequest.body,
        },
        access.credentials,
        access.now?.() ?? Date.now(),
      );
      if (!verified.ok) {
        options.log?.info(
          { service, operation, reason: verified.kind, accessKeyId: awsRequest.accessKeyId },
          'aws request not authenticated',
        );
        return authenticationError(service, verified.kind, verified.message);
      }
      principal = verified.credentials.principal;
    } else {
      if (awsRequest.accessKeyId === undefined) return authenticationError(service, 'missing', 'Request is missing Authentication Token');
      principal = { kind: 'root', arn: `arn:aws:iam::${access.arns.account}:root` };
    }
    const decision = authorize(principal, principal.kind === 'root' ? [] : accessChecks(awsRequest, access.arns));
    if (decision.allowed) return undefined;
    options.log?.info(
      { service, operation, principal: principal.arn, action: decision.check.action, resource: decision.check.resource },
      'aws request denied',
    );
    return accessDeniedError(service, decision.message);
  }
}

/** Host and Origin checks: a refusal for a request from a foreign web page or through a rebound DNS name. */
function refuseForeignRequest(req: IncomingMessage, access: EndpointAccess): AwsResponse | undefined {
  const host = req.headers.host ?? '';
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  if (!access.isAllowedHost(hostname.toLowerCase())) {
    return refusal(
      `Host "${host}" does not address the local cloud; send requests to 127.0.0.1, localhost or [::1] (requests through other names are refused: DNS rebinding)`,
    );
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !access.allowedOrigins.has(origin)) {
    return refusal(
      `Origin "${origin}" may not call the local cloud; only the platform's own web app may (${[...access.allowedOrigins].join(', ')})`,
    );
  }
  return undefined;
}

const refusal = (message: string): AwsResponse => jsonError(new AwsError('AccessDeniedException', message, 403));

/**
 * The web app calls Cognito from the browser (sign-up, sign-in, identity credentials): CORS
 * answers the origin that sent the request once it passed the origin check (every origin when the
 * endpoint has no access control).
 */
function allowBrowser(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE, HEAD, OPTIONS');
  res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '*');
  res.setHeader('access-control-expose-headers', 'x-amzn-requestid, x-amzn-errortype, x-amz-request-id, etag');
  res.setHeader('access-control-max-age', '600');
}

function send(res: ServerResponse, response: AwsResponse): void {
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
