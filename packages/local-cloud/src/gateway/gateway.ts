/**
 * The local stand-in for CloudFront → API Gateway → load balancers: one HTTP port, the routes of
 * `@fleet/core` `gatewayRoutes` (most specific prefix, then `$default`), a Cognito JWT authorizer
 * on protected routes, the full path forwarded to the service (as an ALB does), 503 when the
 * target is unhealthy and 502 when it cannot be reached, and an access log line per request.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isPublicPath, matchRoute, type ServiceName } from '@fleet/core';
import type { JwtAuthorizer } from './jwt-authorizer.ts';
import type { HealthChecker } from './health-checks.ts';

export interface GatewayOptions {
  /** Base URL of each service's target (the container port, locally a child process). */
  readonly targets: Readonly<Record<ServiceName, string>>;
  readonly authorizer: JwtAuthorizer;
  readonly health?: HealthChecker;
  readonly log: Logger;
}

/** Hop-by-hop headers are not forwarded (RFC 9110 §7.6.1). */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export function createGateway(options: GatewayOptions): Server {
  return createServer((req, res) => {
    const started = process.hrtime.bigint();
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    const route = matchRoute(path);
    res.on('finish', () => {
      options.log.info(
        {
          method: req.method,
          path,
          route: route.path,
          service: route.service,
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
        },
        'gateway access',
      );
    });
    forward(req, res, path, route.service, route.auth === 'cognito' && !isPublicPath(route, path)).catch((err: unknown) => {
      options.log.error({ err, path }, 'gateway failure');
      if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  });

  async function forward(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    service: ServiceName,
    protectedRoute: boolean,
  ): Promise<void> {
    if (protectedRoute) {
      const result = await options.authorizer.authorize(req.headers.authorization);
      if (!result.ok) {
        // API Gateway answers exactly this body for a rejected JWT.
        res.setHeader('www-authenticate', `Bearer error="invalid_token", error_description="${result.message.replace(/"/g, "'")}"`);
        return json(res, 401, { message: 'Unauthorized' });
      }
    }
    if (options.health?.health(service) === 'unhealthy') return json(res, 503, { message: 'Service Unavailable' });
    const target = new URL(req.url ?? path, options.targets[service]);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !hopByHop.has(name)) headers[name] = value;
    }
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = req.headers.host ?? '';
    await new Promise<void>((resolve) => {
      const upstream = httpRequest(target, { method: req.method, headers }, (upstreamRes) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstreamRes.headers)) {
          if (value !== undefined && !hopByHop.has(name)) out[name] = value;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, out);
        upstreamRes.pipe(res);
        upstreamRes.on('end', resolve);
        upstreamRes.on('error', () => {
          res.destroy();
          resolve();
        });
      });
      upstream.on('error', () => {
        if (!res.headersSent) json(res, 502, { message: 'Bad Gateway' });
        else res.destroy();
        resolve();
      });
      req.pipe(upstream);
    });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
