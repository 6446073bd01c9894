/**
 * Test helper (used by the route tests of this folder): answers one request with a set of routes
 * through the restJson1 handler, in process, as the local AWS endpoint would hand it over.
 */
import { restJsonHandler, type RestRoute } from '../rest-json.ts';

export interface RouteCall {
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface RouteAnswer {
  readonly status: number;
  readonly errorType?: string;
  readonly json: Record<string, unknown>;
}

export async function callRoute(routes: readonly RestRoute[], method: string, path: string, call: RouteCall = {}): Promise<RouteAnswer> {
  const query = new URLSearchParams(call.query ?? {});
  const response = await restJsonHandler({ service: 'iot', routes })({
    method,
    path,
    rawUrl: `${path}?${query.toString()}`,
    query,
    headers: call.headers ?? {},
    body: call.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(call.body)),
    service: 'iot',
  });
  const text = response.body === undefined ? '' : response.body.toString();
  const errorType = response.headers?.['x-amzn-errortype'];
  return {
    status: response.status,
    ...(errorType ? { errorType } : {}),
    json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}
