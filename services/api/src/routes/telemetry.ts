/**
 * Telemetry queries, answered by the Data Service: the API checks who is asking and that the device
 * is registered and within their access (it owns the registry: 404 DeviceNotFound either way; registered as the device
 * page sees it, `DeviceScope.mayRead`, so a page polling a chart costs no registry read each time), then relays the request with the same
 * query string (the Data Service owns the query semantics and limits) and checks the answer against
 * its `@fleet/core` contract. The schemas here mirror the Data Service's bounds so that the OpenAPI
 * document shows them and a bad query never travels.
 */
import {
  errorResponses,
  LatestValuesSchema,
  RawReadingsPageSchema,
  ReadingIntervalsSchema,
  telemetryQueryLimits as limits,
} from '@fleet/core';
import { Type, type TSchema } from 'typebox';
import type { Authorizer } from '../auth/authorize.ts';
import { authOf } from '../auth/authorize.ts';
import { deviceNotFound, type DeviceScope } from '../auth/device-scope.ts';
import { bearer, dataServiceErrors, DeviceParams, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { queryOf } from '../http/relay.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';
import type { RelayedCode } from '../telemetry/data-service-errors.ts';

export interface TelemetryRoutesDeps {
  readonly authorizer: Authorizer;
  /** The registered devices the caller may reach. */
  readonly scope: Pick<DeviceScope, 'mayRead'>;
  readonly dataService: DataServiceClient;
}

const Time = Type.String({ minLength: 1, maxLength: limits.maxTimeLength, description: 'ISO 8601 time or epoch milliseconds' });

interface TelemetryRoute {
  readonly url: string;
  readonly upstream: (id: string) => string;
  readonly summary: string;
  readonly querystring: TSchema;
  readonly answer: TSchema;
  /** The Data Service codes this route relays. */
  readonly relay: readonly RelayedCode[];
}

const routes: readonly TelemetryRoute[] = [
  {
    url: '/api/devices/:id/telemetry/latest',
    upstream: (id) => `/data/devices/${id}/latest`,
    summary: 'Latest reading of a device (404 NoReadings before its first)',
    querystring: StrictObject({}),
    answer: LatestValuesSchema,
    relay: ['NoReadings'],
  },
  {
    url: '/api/devices/:id/telemetry',
    upstream: (id) => `/data/devices/${id}/readings`,
    summary: 'Readings over a time range, downsampled to at most maxPoints per metric',
    querystring: StrictObject({
      from: Type.Optional(Time),
      to: Type.Optional(Time),
      maxPoints: Type.Optional(
        Type.Integer({ minimum: 1, maximum: limits.maxMaxPoints, description: `Default ${limits.defaultMaxPoints}` }),
      ),
      metrics: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: limits.maxMetricsLength,
          description: `Comma-separated metric names, at most ${limits.maxSeries}`,
        }),
      ),
    }),
    answer: ReadingIntervalsSchema,
    relay: ['ValidationError'],
  },
  {
    url: '/api/devices/:id/telemetry/raw',
    upstream: (id) => `/data/devices/${id}/readings/raw`,
    summary: 'Raw readings over a time range, paginated',
    querystring: StrictObject({
      from: Type.Optional(Time),
      to: Type.Optional(Time),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxRawLimit, description: `Default ${limits.defaultRawLimit}` })),
      cursor: Type.Optional(Type.String({ minLength: 1, maxLength: limits.maxCursorLength })),
    }),
    answer: RawReadingsPageSchema,
    relay: ['ValidationError'],
  },
];

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
          response: {
            200: route.answer,
            ...errorResponses(...permissionErrors, ...paramErrors, 'DeviceNotFound', ...dataServiceErrors, ...route.relay),
          },
        },
      },
      async (request) => {
        const deviceId = request.params.id;
        // Refused here, before the relay: a device outside the caller's access never reaches the Data Service.
        if (!(await deps.scope.mayRead(authOf(request), deviceId))) throw deviceNotFound(deviceId);
        return deps.dataService.get(route.answer, {
          path: route.upstream(deviceId),
          query: queryOf(request),
          accessToken: authOf(request).accessToken,
          relay: route.relay,
        });
      },
    );
  }
}
