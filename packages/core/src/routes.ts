/**
 * Public HTTP routes: CloudFront → API Gateway → load balancer N → ECS service N. The CDK app
 * creates one HTTP API route per entry and the local gateway uses the same table.
 */
import { bodyLimits } from './http-limits.ts';
import type { ServiceName } from './services.ts';

export interface GatewayRoute {
  /** API Gateway route key path: `$default` or `/prefix/{proxy+}` style written as `/prefix/*`. */
  readonly path: '$default' | `/${string}/*`;
  readonly service: ServiceName;
  /** `cognito`: a JWT authorizer on the user pool's access tokens; 401 without one. */
  readonly auth: 'none' | 'cognito';
  /** Paths under the route that skip the authorizer (documentation, health). */
  readonly publicPaths?: readonly string[];
  /**
   * Largest request body the route's service takes on any of its routes, in bytes. The local
   * gateway answers 413 above it without bothering the service; on AWS API Gateway's own 10 MB
   * quota applies and the service enforces this (and its finer per-route limits) itself.
   */
  readonly maxBodyBytes: number;
}

export const gatewayRoutes: readonly GatewayRoute[] = [
  {
    path: '/api/*',
    service: 'api',
    auth: 'cognito',
    publicPaths: ['/api/health', '/api/docs', '/api/openapi.json'],
    // The device import's CSV upload is the largest body; every other API route's own limit is far
    // smaller and the API Service enforces it per route.
    maxBodyBytes: bodyLimits.apiDeviceImport,
  },
  { path: '/data/*', service: 'data', auth: 'cognito', publicPaths: ['/data/health'], maxBodyBytes: bodyLimits.none },
  { path: '$default', service: 'frontend', auth: 'none', maxBodyBytes: bodyLimits.none },
];

/** The route a request path takes, the way API Gateway matches: most specific prefix, then `$default`. */
export function matchRoute(path: string): GatewayRoute {
  for (const route of gatewayRoutes) {
    if (route.path === '$default') continue;
    const prefix = route.path.slice(0, -2);
    if (path === prefix || path.startsWith(`${prefix}/`)) return route;
  }
  const fallback = gatewayRoutes.find((r) => r.path === '$default');
  if (!fallback) throw new Error('gatewayRoutes has no $default route');
  return fallback;
}

/** Whether a path under an authorized route is served without a token. */
export function isPublicPath(route: GatewayRoute, path: string): boolean {
  return route.auth === 'none' || (route.publicPaths ?? []).some((p) => path === p || path.startsWith(`${p}/`));
}
