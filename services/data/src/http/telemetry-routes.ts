/**
 * Telemetry queries of one device: its latest reading, its readings downsampled for charts, its raw
 * readings page by page. The Data Service answers for any well-formed device id: it holds
 * telemetry, not registrations (the API Service owns the registry and answers `DeviceNotFound`
 * before relaying, docs/adr/0001-table-ownership.md); a device without readings has no latest
 * (404 `NoReadings`) and empty ranges. A device outside a scoped caller's groups (device-scope.ts)
 * is answered the same way, so its id cannot be probed. Answers are the `@fleet/core` telemetry contract.
 */
import {
  errorResponses,
  LatestValuesSchema,
  longestRetentionDays,
  RawReadingsPageSchema,
  ReadingIntervalsSchema,
  resolutionFor,
  type Resolution,
  type RetentionSettings,
  type StoredReading,
} from '@fleet/core';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { createDownsampler } from '../downsample.ts';
import type { LatestStore } from '../latest-store.ts';
import { foldPieces } from '../rollups/chart-pieces.ts';
import { unfoldedSpan } from '../rollups/fold-scheduler.ts';
import { unfoldedHoursSpan } from '../rollups/hour-folder.ts';
import { planChart } from '../rollups/range-plan.ts';
import type { RollupReader } from '../rollups/rollup-reader.ts';
import type { TelemetryStore } from '../telemetry-store.ts';
import { callerErrors, callerOf, type RequireCaller } from '../caller-check.ts';
import type { DeviceScope } from '../device-scope.ts';
import { AnswerError, type DataApp } from './answer-error.ts';
import { decodeCursor, DeviceParams, encodeCursor, maxRangeMsFor, queryLimits, timeRange, TimeRangeQuery } from './query-params.ts';

export interface TelemetryRoutesDeps {
  readonly caller: RequireCaller;
  readonly scope: DeviceScope;
  readonly telemetry: TelemetryStore;
  readonly latest: LatestStore;
  /** Charts of intervals a minute or wider read these; without them every chart folds raw readings. */
  readonly rollups?: RollupReader;
  /** The retention settings: a range may reach back as far as the longest. @default the raw acceptance window */
  readonly retention?: { get(): Promise<RetentionSettings> };
}

const metricName = '[A-Za-z][A-Za-z0-9_]{0,63}';

export function registerTelemetryRoutes(app: DataApp, deps: TelemetryRoutesDeps): void {
  const readable = (request: FastifyRequest, deviceId: string) => deps.scope.includes(callerOf(request), deviceId);
  const maxRangeMs = async () =>
    deps.retention ? maxRangeMsFor(longestRetentionDays(await deps.retention.get())) : queryLimits.maxRangeMs;
  // Raw pages read only the telemetry table: as far back as the longest raw retention.
  const maxRawRangeMs = async () => {
    if (!deps.retention) return queryLimits.maxRangeMs;
    const { fleet, groups } = await deps.retention.get();
    return maxRangeMsFor(Math.max(fleet.rawDays, ...Object.values(groups).map((g) => g.rawDays ?? 0)));
  };

  app.get(
    '/data/devices/:deviceId/latest',
    {
      onRequest: deps.caller('readDevices'),
      schema: {
        params: DeviceParams,
        response: { 200: LatestValuesSchema, ...errorResponses(...callerErrors, 'ValidationError', 'NoReadings') },
      },
    },
    async (request) => {
      const latest = (await readable(request, request.params.deviceId)) ? await deps.latest.get(request.params.deviceId) : undefined;
      if (!latest) throw new AnswerError('NoReadings', `No reading stored for device "${request.params.deviceId}"`);
      return latest;
    },
  );

  app.get(
    '/data/devices/:deviceId/readings',
    {
      onRequest: deps.caller('readDevices'),
      schema: {
        params: DeviceParams,
        querystring: Type.Object({
          ...TimeRangeQuery,
          maxPoints: Type.Integer({ minimum: 1, maximum: queryLimits.maxMaxPoints, default: queryLimits.defaultMaxPoints }),
          metrics: Type.Optional(
            Type.String({
              maxLength: queryLimits.maxMetricsLength,
              pattern: `^${metricName}(,${metricName}){0,${queryLimits.maxSeries - 1}}$`,
              description: `Comma-separated metric names, at most ${queryLimits.maxSeries}`,
            }),
          ),
        }),
        response: { 200: ReadingIntervalsSchema, ...errorResponses(...callerErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const { maxPoints, metrics } = request.query;
      const { from, to } = timeRange(request.query, await maxRangeMs());
      const { deviceId } = request.params;
      const downsampler = createDownsampler({ from, to, maxPoints, metrics: metrics ? [...new Set(metrics.split(','))] : undefined });
      // The coarsest rollup level whose buckets are no wider than an interval (raw below a minute),
      // its whole buckets inside the range, the edges from finer levels, and the last seconds and the
      // near future (which live ingest's rollups may not hold yet) from raw readings, and at the hour
      // and day resolutions the last minute or two (hours and days not folded yet) from the minutes.
      const resolution: Resolution = deps.rollups ? resolutionFor(downsampler.intervalMs) : 'raw';
      // A device outside the caller's groups has, to them, no readings.
      const pieces = (await readable(request, deviceId))
        ? planChart(resolution, from, to, unfoldedSpan(Date.now()), unfoldedHoursSpan(Date.now()))
        : [];
      await foldPieces(deps, deviceId, pieces, downsampler);
      return {
        deviceId,
        from,
        to,
        intervalMs: downsampler.intervalMs,
        resolution,
        metrics: downsampler.result(),
        ...(downsampler.truncated ? { truncated: true as const } : {}),
      };
    },
  );

  app.get(
    '/data/devices/:deviceId/readings/raw',
    {
      onRequest: deps.caller('readDevices'),
      schema: {
        params: DeviceParams,
        querystring: Type.Object({
          ...TimeRangeQuery,
          limit: Type.Integer({ minimum: 1, maximum: queryLimits.maxRawLimit, default: queryLimits.defaultRawLimit }),
          cursor: Type.Optional(Type.String({ maxLength: queryLimits.maxCursorLength })),
        }),
        response: { 200: RawReadingsPageSchema, ...errorResponses(...callerErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const { from, to } = timeRange(request.query, await maxRawRangeMs());
      const { deviceId } = request.params;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const readings: StoredReading[] = [];
      let more = false;
      const stored = (await readable(request, deviceId)) ? deps.telemetry.query({ deviceId, from, to, after }) : [];
      for await (const reading of stored) {
        if (readings.length === limit) {
          more = true;
          break;
        }
        readings.push(reading);
      }
      const last = readings.at(-1);
      return { deviceId, readings, ...(more && last ? { nextCursor: encodeCursor(last) } : {}) };
    },
  );
}
