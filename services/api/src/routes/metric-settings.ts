/**
 * Metric display settings (`@fleet/core` web-app/metric-settings.ts): every signed-in user reads
 * them (each page that shows a value formats it with them); operators and admins set a metric's
 * label, unit and decimals, or remove them (the metric shows with the defaults again).
 */
import {
  bodyLimits,
  errorResponses,
  metricSettingLimits,
  MetricSettingInputSchema,
  MetricSettingListSchema,
  MetricSettingParamsSchema,
  metricSettingPaths,
  MetricSettingSchema,
} from '@fleet/core';
import { Type } from 'typebox';
import type { Authorizer } from '../auth/authorize.ts';
import { authOf } from '../auth/authorize.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, paramErrors, permissionErrors } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import type { MetricSettingsStore } from '../metric-settings/metric-settings-store.ts';

export interface MetricSettingRoutesDeps {
  readonly authorizer: Authorizer;
  readonly store: MetricSettingsStore;
}

const tags = ['metric settings'];
/** A path of core's `metricSettingPaths` under /api (its `:metric` is Fastify's parameter syntax too). */
const api = (path: string) => `/api${path}`;

export function registerMetricSettingRoutes(app: TypedApp, deps: MetricSettingRoutesDeps): void {
  app.get(
    api(metricSettingPaths.list),
    {
      onRequest: deps.authorizer.require('readDevices'),
      schema: {
        tags,
        summary: 'How each metric is shown: label, unit, decimals (metrics without a setting are not listed)',
        security: bearer,
        response: { 200: MetricSettingListSchema, ...errorResponses(...permissionErrors) },
      },
    },
    async () => ({ settings: await deps.store.list() }),
  );

  app.put(
    api(metricSettingPaths.one),
    {
      onRequest: deps.authorizer.require('manageMetricSettings'),
      schema: {
        tags,
        summary: "Set a metric's label, unit and decimals (replaces its setting; a field left out is back to its default)",
        description:
          `Decimals 0–${metricSettingLimits.maxDecimals}; without them a value shows at most ${metricSettingLimits.defaultMaxDecimals}. ` +
          bodyLimitNote(bodyLimits.api),
        security: bearer,
        params: MetricSettingParamsSchema,
        body: MetricSettingInputSchema,
        response: { 200: MetricSettingSchema, ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'Conflict') },
      },
    },
    async (request) => {
      const { metric } = request.params;
      // Bounded for one answer of GET: a new metric beyond the bound is refused, a known one may change.
      const known = await deps.store.list();
      if (known.length >= metricSettingLimits.maxSettings && !known.some((s) => s.metric === metric))
        throw apiError(
          'Conflict',
          `The fleet has ${known.length} metric settings, the most it keeps; remove one before adding "${metric}"`,
        );
      return deps.store.put(metric, request.body, authOf(request).username);
    },
  );

  app.delete(
    api(metricSettingPaths.one),
    {
      onRequest: deps.authorizer.require('manageMetricSettings'),
      schema: {
        tags,
        summary: "Remove a metric's setting: it shows with the defaults again",
        security: bearer,
        params: MetricSettingParamsSchema,
        response: {
          204: Type.Null({ description: 'Removed' }),
          // No body is read, but one sent is parsed (and refused) as on every DELETE.
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'MetricSettingNotFound'),
        },
      },
    },
    async (request, reply) => {
      const { metric } = request.params;
      if (!(await deps.store.remove(metric))) throw apiError('MetricSettingNotFound', `Metric "${metric}" has no display setting`);
      return reply.code(204).send(null);
    },
  );
}
