/**
 * Telemetry queries, answered by the Data Service: the API checks who is asking and relays the
 * request with the same query string (the Data Service owns the query semantics and limits, and
 * answers 404 DeviceNotFound for a device that is not registered). The schemas here mirror the
 * Data Service's bounds so that the OpenAPI document shows them and a bad query never travels.
 */
import { telemetryQueryLimits as limits } from '@fleet/core';
import { Type } from 'typebox';
import type { Authorizer } from '../auth/authorize.ts';
import { authOf } from '../auth/authorize.ts';
import { bearer, DeviceParams, errorResponses, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

export interface TelemetryRoutesDeps {
  readonly authorizer: Authorizer;
  readonly dataService: DataServiceClient;
}

const Passthrough = Type.Object({}, { additionalProperties: true, description: "The Data Service's answer, relayed as is" });
const Time = Type.String({ minLength: 1, maxLength: limits.maxTimeLength, description: 'ISO 8601 time or epoch milliseconds' });

const routes = [
  {
    url: '/api/devices/:id/telemetry/latest',
    upstream: (id: string) => `/data/devices/${id}/latest`,
    summary: 'Latest reading of a device',
    querystring: StrictObject({}),
  },
  {
    url: '/api/devices/:id/telemetry',
    upstream: (id: string) => `/data/devices/${id}/readings`,
    summary: 'Readings over a time range, downsampled to at most maxPoints per metric',
    querystring: StrictObject({
      from: Type.Optional(Time),
      to: Type.Optional(Time),
      maxPoints: Type.Optional(
        Type.Integer({ minimum: 1, maximum: limits.maxMaxPoints, description: `Default ${limits.defaultMaxPoints}` }),
      ),
      metrics: Type.Optional(
        Type.String({ minLength: 1, maxLength: limits.maxMetricsLength, description: 'Comma-separated metric names' }),
      ),
    }),
  },
  {
    url: '/api/devices/:id/telemetry/raw',
    upstream: (id: string) => `/data/devices/${id}/readings/raw`,
    summary: 'Raw readings over a time range, paginated',
    querystring: StrictObject({
      from: Type.Optional(Time),
      to: Type.Optional(Time),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxRawLimit, description: `Default ${limits.defaultRawLimit}` })),
      cursor: Type.Optional(Type.String({ minLength: 1, maxLength: limits.maxCursorLength })),
    }),
  },
] as const;

export function registerTelemetryRoutes(app: TypedApp, deps: TelemetryRoutesDeps): void {
  for (const route of routes) {
    app.get(
      route.url,
      {
        onRequest: deps.authorizer.require('readDevices'),
        schema: {
          tags: ['telemetry'],
          summary: route.summary,
          security: bearer,
          params: DeviceParams,
          querystring: route.querystring,
          response: { 200: Passthrough, ...errorResponses(400, 401, 404, 502, 503) },
        },
      },
      async (request, reply) => {
        const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
        const json = await deps.dataService.get(route.upstream(request.params.id), query, authOf(request).accessToken);
        // Already JSON text: Fastify sends a string as is when the content type is set.
        return reply.type('application/json; charset=utf-8').send(json as unknown as Record<string, unknown>);
      },
    );
  }
}
