/**
 * The Data Service's HTTP API (behind load balancer 3: API Gateway's `/data/*` route and the API
 * Service). Schema-first: each route's TypeBox schema validates input, serializes output and types
 * the handler. Every route but health checks its caller (`caller-check.ts`): the role model of the
 * API Service, from the same token. Errors: `{ code, message }` with the codes of `@fleet/core`,
 * 5xx without details (logged with the request id).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  bodyLimits,
  createHealthProbe,
  DeadLetterOverviewSchema,
  DeadLetterReplayResultSchema,
  deviceIdPattern,
  errorCodeForStatus,
  HealthReportSchema,
  LivenessSchema,
  telemetryLimits,
  telemetryQueryLimits,
  type HealthProbe,
} from '@fleet/core';
import { keepConnectionAfterBodyError, serviceServerOptions } from '@fleet/core/http';
import type { TokenVerifier } from '@fleet/core/tokens';
import Fastify, { LogController } from 'fastify';
import type { FastifyError, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import { requireCaller } from './caller-check.ts';
import type { DeadLetterReplay } from './dead-letter-backlog.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import type { DeviceDirectory } from './device-directory.ts';
import { createDownsampler } from './downsample.ts';
import type { LatestStore } from './latest-store.ts';
import type { StoredReading, TelemetryStore } from './telemetry-store.ts';

export interface AppOptions {
  readonly logger: Logger;
  /** Judges the caller's access token (the user pool's JWKS). */
  readonly verifier: TokenVerifier;
  /** Which devices are registered: telemetry of any other answers 404 DeviceNotFound. */
  readonly devices: DeviceDirectory;
  readonly telemetry: TelemetryStore;
  readonly latest: LatestStore;
  readonly deadLetters: DeadLetterStore;
  /** Replay of both dead-letter kinds; when absent, replay answers 501 and the list has no backlog. */
  readonly replay?: DeadLetterReplay;
  /** Readiness: the consumer and the dependencies (see service.ts). @default ready, nothing probed */
  readonly health?: HealthProbe;
}

export const queryLimits = {
  ...telemetryQueryLimits,
  /** A query spans at most the retention (plus a day of slack for the edges). */
  maxRangeMs: telemetryLimits.maxAgeMs + 86_400_000,
} as const;

const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });
const DeviceParams = Type.Object({ deviceId: Type.String({ pattern: deviceIdPattern.source, maxLength: 64 }) });
const Values = Type.Record(Type.String(), Type.Number());
const Time = Type.String({
  minLength: 1,
  maxLength: queryLimits.maxTimeLength,
  description: 'epoch milliseconds or ISO 8601 time; default: to = now, from = to − 24 h',
});
const IntervalSchema = Type.Object({ t: Type.Number(), min: Type.Number(), max: Type.Number(), avg: Type.Number(), count: Type.Integer() });
const ReadingSchema = Type.Object({ ts: Type.Number(), seq: Type.Integer(), values: Values });
/** How long a replay request waits for the dead-letter queue's move task (the API gives up after 10 s). */
const replayWaitMs = 5_000;

/** Raised by handlers for a client mistake the schema cannot express. */
class BadRequest extends Error {
  readonly statusCode = 400;
  readonly code = 'ValidationError';
}

const encodeCursor = (r: StoredReading) => Buffer.from(`${r.ts}_${r.seq}`).toString('base64url');
function decodeCursor(cursor: string): { ts: number; seq: number } {
  const match = /^(\d+)_(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BadRequest(`cursor ${JSON.stringify(cursor)} is not one this service returned`);
  return { ts: Number(match[1]), seq: Number(match[2]) };
}

/** A query time: epoch milliseconds or an ISO 8601 time (the API Service relays either). */
function parseTime(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isSafeInteger(ms))
    throw new BadRequest(`"${name}" must be epoch milliseconds or an ISO 8601 time, received ${JSON.stringify(value)}`);
  return ms;
}

/** The [from, to] of a query, checked. */
function timeRange(query: { from?: string; to?: string }): { from: number; to: number } {
  const to = parseTime('to', query.to, Date.now());
  const from = parseTime('from', query.from, to - 86_400_000);
  checkRange(from, to);
  return { from, to };
}

function checkRange(from: number, to: number): void {
  if (to < from) throw new BadRequest(`"to" (${to}) must not be before "from" (${from})`);
  if (to - from > queryLimits.maxRangeMs) {
    throw new BadRequest(`range is ${to - from} ms, at most ${queryLimits.maxRangeMs} ms (the retention) can be queried`);
  }
}

/** Builds the Fastify app; the caller listens (main.ts) or injects (tests). */
export function buildApp(options: AppOptions) {
  // No log line per request: the API Service calls this often and each line is billed log ingestion.
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    // Fleet's HTTP server and error answers; no route takes a body.
    ...serviceServerOptions({ bodyLimit: bodyLimits.none }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  const caller = (permission: Parameters<typeof requireCaller>[1]) => requireCaller(options.verifier, permission);
  const registered = async (deviceId: string, reply: FastifyReply): Promise<boolean> => {
    if (await options.devices.exists(deviceId)) return true;
    await reply.code(404).send({ code: 'DeviceNotFound', message: `Device "${deviceId}" is not registered` });
    return false;
  };

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation) {
      // Fastify already prefixes the message with the part of the request (querystring/from ...).
      return reply.code(400).send({ code: 'ValidationError', message: err.message });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      if (err.code?.startsWith('FST_ERR_CTP_')) keepConnectionAfterBodyError(request, reply);
      const code = err instanceof BadRequest ? err.code : errorCodeForStatus(status);
      return reply.code(status).send({ code, message: err.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ code: 'InternalError', message: `internal error (request ${request.id})` });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 'NotFound', message: `no route ${request.method} ${request.url}` }),
  );

  // Liveness (ECS container check, ALB target group) and readiness (dependencies): see @fleet/core health.ts.
  app.get('/data/health/live', { schema: { response: { 200: LivenessSchema } } }, async () => ({ status: 'ok' as const }));
  const health = options.health ?? createHealthProbe({ service: 'data', dependencies: [] });
  app.get('/data/health', { schema: { response: { 200: HealthReportSchema, 503: HealthReportSchema } } }, async (_req, reply) => {
    const report = await health.report();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  app.get(
    '/data/devices/:deviceId/latest',
    {
      onRequest: caller('readDevices'),
      schema: {
        params: DeviceParams,
        response: {
          200: Type.Object({ deviceId: Type.String(), ts: Type.Number(), seq: Type.Integer(), values: Values, receivedAt: Type.Number() }),
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      if (!(await registered(request.params.deviceId, reply))) return reply;
      const latest = await options.latest.get(request.params.deviceId);
      if (!latest) return reply.code(404).send({ code: 'NotFound', message: `no reading stored for device ${request.params.deviceId}` });
      return latest;
    },
  );

  app.get(
    '/data/devices/:deviceId/readings',
    {
      onRequest: caller('readDevices'),
      schema: {
        params: DeviceParams,
        querystring: Type.Object({
          from: Type.Optional(Time),
          to: Type.Optional(Time),
          maxPoints: Type.Integer({ minimum: 1, maximum: queryLimits.maxMaxPoints, default: queryLimits.defaultMaxPoints }),
          metrics: Type.Optional(
            Type.String({ maxLength: queryLimits.maxMetricsLength, pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}(,[A-Za-z][A-Za-z0-9_]{0,63})*$' }),
          ),
        }),
        response: {
          200: Type.Object({
            deviceId: Type.String(),
            from: Type.Number(),
            to: Type.Number(),
            intervalMs: Type.Number(),
            metrics: Type.Record(Type.String(), Type.Array(IntervalSchema)),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { maxPoints, metrics } = request.query;
      const { from, to } = timeRange(request.query);
      const { deviceId } = request.params;
      if (!(await registered(deviceId, reply))) return reply;
      const downsampler = createDownsampler({ from, to, maxPoints, metrics: metrics?.split(',') });
      for await (const reading of options.telemetry.query({ deviceId, from, to })) downsampler.add(reading);
      return { deviceId, from, to, intervalMs: downsampler.intervalMs, metrics: downsampler.result() };
    },
  );

  app.get(
    '/data/devices/:deviceId/readings/raw',
    {
      onRequest: caller('readDevices'),
      schema: {
        params: DeviceParams,
        querystring: Type.Object({
          from: Type.Optional(Time),
          to: Type.Optional(Time),
          limit: Type.Integer({ minimum: 1, maximum: queryLimits.maxRawLimit, default: queryLimits.defaultRawLimit }),
          cursor: Type.Optional(Type.String({ maxLength: queryLimits.maxCursorLength })),
        }),
        response: {
          200: Type.Object({ deviceId: Type.String(), readings: Type.Array(ReadingSchema), nextCursor: Type.Optional(Type.String()) }),
          400: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { limit, cursor } = request.query;
      const { from, to } = timeRange(request.query);
      const { deviceId } = request.params;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (!(await registered(deviceId, reply))) return reply;
      const readings: StoredReading[] = [];
      let more = false;
      for await (const reading of options.telemetry.query({ deviceId, from, to, after })) {
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

  app.get(
    '/data/dead-letters',
    {
      onRequest: caller('readDeadLetters'),
      schema: {
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }),
        response: { 200: DeadLetterOverviewSchema },
      },
    },
    async (request) => {
      const [deadLetters, backlog] = await Promise.all([
        options.deadLetters.listRecent({ limit: request.query.limit }),
        options.replay?.backlog(),
      ]);
      return { deadLetters, ...(backlog ? { backlog } : {}) };
    },
  );

  // Internal: the gateway routes only /data/* here, so replay is reachable only from inside the
  // VPC (load balancer 3), where the API Service calls it for admins (POST /api/dead-letters/replay)
  // with the admin's token, which this checks too: an open port is no open door.
  app.post(
    '/internal/dead-letters/replay',
    {
      onRequest: caller('replayDeadLetters'),
      schema: {
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
        response: {
          200: DeadLetterReplayResultSchema,
          501: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      if (!options.replay) return reply.code(501).send({ code: 'NotImplemented', message: 'replay is not configured' });
      return options.replay.replay({ limit: request.query.limit, waitMs: replayWaitMs });
    },
  );

  return app;
}
