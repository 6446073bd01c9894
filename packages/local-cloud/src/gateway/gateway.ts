/**
 * The local stand-in for CloudFront → API Gateway → load balancers: one HTTP port, the routes of
 * `@fleet/core` `gatewayRoutes` (most specific prefix, then `$default`), a Cognito JWT authorizer
 * on protected routes, the full path forwarded to the service (as an ALB does), 503 when the
 * target is unhealthy, 502 when it cannot be reached, 504 when it does not answer in time, and an
 * access log line per request. Only origin-form request targets are accepted (`request-target.ts`)
 * and the upstream URL is built from the configured target and the normalized path alone, so no
 * request can name another host. Bodies above the route's limit answer 413 before the service
 * sees them. Every answer of the gateway's own is `{ code, message }` JSON.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  bodyLimits,
  errorCodes,
  httpTimeouts,
  isPublicPath,
  matchRoute,
  type ErrorCode,
  type GatewayRoute,
  type ServiceName,
} from '@fleet/core';
import { createFleetHttpServer } from '@fleet/core/http';
import type { JwtAuthorizer } from './jwt-authorizer.ts';
import type { HealthChecker } from './health-checks.ts';
import { readBody } from './read-body.ts';
import { parseRequestTarget } from './request-target.ts';

export interface GatewayOptions {
  /** Base URL of each service's target (the container port, locally a child process). */
  readonly targets: Readonly<Record<ServiceName, string>>;
  readonly authorizer: JwtAuthorizer;
  readonly health?: HealthChecker;
  readonly log: Logger;
  /** How long a target may take to answer. @default httpTimeouts.upstream */
  readonly upstreamTimeoutMs?: number;
}

/** Hop-by-hop headers are not forwarded (RFC 9110 §7.6.1), nor those the Connection header names. */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(name) && !named.has(name)) out[name] = value;
  }
  return out;
}

function answer(res: ServerResponse, code: ErrorCode, message: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(errorCodes[code], { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message }));
}

export function createGateway(options: GatewayOptions): Server {
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? httpTimeouts.upstream;
  // Parsed once: every request is forwarded to one of these origins.
  const origins = new Map(Object.entries(options.targets).map(([service, target]) => [service, new URL(target).origin]));

  return createFleetHttpServer({ keepAliveTimeoutMs: httpTimeouts.gatewayKeepAlive }, (req, res) => {
    const started = process.hrtime.bigint();
    const parsed = parseRequestTarget(req.url ?? '');
    const target = parsed.ok ? { ...parsed, route: matchRoute(parsed.path) } : parsed;
    const path = target.ok ? target.path : (req.url ?? '').slice(0, 200);
    const route = target.ok ? target.route : undefined;
    res.on('finish', () => {
      options.log.info(
        {
          method: req.method,
          path,
          route: route?.path,
          service: route?.service,
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
        },
        'gateway access',
      );
    });
    if (!target.ok) return answer(res, target.status === 414 ? 'UriTooLong' : 'MalformedRequest', target.message);
    handle(req, res, target.route, target.path, target.query).catch((err: unknown) => {
      options.log.error({ err, path }, 'gateway failure');
      if (!res.headersSent) answer(res, 'InternalError', 'Internal server error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, route: GatewayRoute, path: string, query: string): Promise<void> {
    const limit = Math.min(route.maxBodyBytes, bodyLimits.apiGateway);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return answer(res, 'PayloadTooLarge', tooLarge(declared, route, limit));
    if (route.auth === 'cognito' && !isPublicPath(route, path)) {
      const result = await options.authorizer.authorize(req.headers.authorization);
      if (!result.ok) return answer(res, result.code, result.message, result.headers);
    }
    if (options.health?.health(route.service) === 'unhealthy') {
      return answer(res, 'ServiceUnavailable', `The ${route.service} service is unhealthy; try again later`);
    }
    const body = await readBody(req, limit);
    if (body === 'too-large') return answer(res, 'PayloadTooLarge', tooLarge(limit + 1, route, limit));
    const origin = origins.get(route.service);
    if (origin === undefined) throw new Error(`no target for the ${route.service} service`);
    const url = new URL(origin);
    url.pathname = path;
    url.search = query ? `?${query}` : '';
    if (url.origin !== origin) throw new Error(`upstream URL ${url.href} left the target ${origin}`);
    await forward(req, res, url, route.service, body);
  }

  function forward(req: IncomingMessage, res: ServerResponse, url: URL, service: ServiceName, body: Buffer): Promise<void> {
    const headers = endToEnd(req.headers);
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = req.headers.host ?? '';
    // The body was read whole (as API Gateway does): it goes on with its length, in one write.
    if (body.length > 0 || req.headers['content-length'] !== undefined) headers['content-length'] = String(body.length);
    return new Promise<void>((resolve) => {
      // A plain timer for the whole answer: an AbortSignal per request (its EventTarget and the
      // listeners the client wires to it) cost the gateway about 6 % of its CPU per request.
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        upstream.destroy(new Error(`no complete answer in ${upstreamTimeoutMs} ms`));
      }, upstreamTimeoutMs).unref();
      const upstream = httpRequest(url, { method: req.method, headers }, (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, endToEnd(upstreamRes.headers));
        upstreamRes.pipe(res);
        upstreamRes.on('end', resolve);
        upstreamRes.on('error', () => {
          res.destroy();
          resolve();
        });
      });
      upstream.on('error', () => {
        resolve();
        if (res.headersSent) return void res.destroy();
        if (timedOut) answer(res, 'GatewayTimeout', `The ${service} service did not answer in ${upstreamTimeoutMs} ms`);
        else answer(res, 'BadGateway', `The ${service} service cannot be reached`);
      });
      res.on('close', () => {
        clearTimeout(timer);
        // The client went away before the answer was complete: stop the work upstream too.
        if (!res.writableFinished) upstream.destroy();
      });
      upstream.end(body);
    });
  }
}

function tooLarge(size: number, route: GatewayRoute, limit: number): string {
  return `The request body is ${size} bytes or more; routes under ${route.path} take at most ${limit} bytes`;
}
