/**
 * The Data Service's HTTP API (behind load balancer 3: API Gateway's `/data/*` route and the API
 * Service). Schema-first: each route's TypeBox schema validates input, serializes output and types
 * the handler; the answers are the contracts of `@fleet/core` (telemetry, device state, dead
 * letters). Every route but health checks its caller (`caller-check.ts`): the role model of the
 * API Service, from the same token. Errors: `{ code, message }` with the codes of `@fleet/core`,
 * 5xx without details (logged with the request id).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  bodyLimits,
  boundedMessage,
  createHealthProbe,
  errorCodeForStatus,
  HealthReportSchema,
  LivenessSchema,
  type HealthProbe,
} from '@fleet/core';
import { keepConnectionAfterBodyError, serviceServerOptions } from '@fleet/core/http';
import type { TokenVerifier } from '@fleet/core/tokens';
import Fastify, { LogController } from 'fastify';
import type { FastifyError } from 'fastify';
import type { Logger } from 'pino';
import { requireCaller, type RequireCaller } from './caller-check.ts';
import { createDeviceScope } from './device-scope.ts';
import type { GroupMembership } from './group-membership.ts';
import type { DeadLetterReplay } from './dead-letter-backlog.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import type { DeviceStateReader } from './device-states.ts';
import type { DeviceStatusCounter } from './device-status-counts.ts';
import type { Alarms } from './alarms/index.ts';
import { registerAlarmRoutes } from './http/alarm-routes.ts';
import { registerJobRoutes, type DataJobs } from './data-jobs/index.ts';
import { registerDeadLetterRoutes } from './http/dead-letter-routes.ts';
import { registerDeviceStateRoutes } from './http/device-state-routes.ts';
import { AnswerError } from './http/answer-error.ts';
import { registerRetentionRoutes } from './http/retention-routes.ts';
import { registerTelemetryRoutes } from './http/telemetry-routes.ts';
import type { LatestStore } from './latest-store.ts';
import type { TelemetryStore } from './telemetry-store.ts';
import { registerDataUsageRoute, type DataUsageReader } from './usage/index.ts';
import type { RetentionStore } from './retention/retention-store.ts';
import type { RollupReader } from './rollups/rollup-reader.ts';

export { queryLimits } from './http/query-params.ts';

export interface AppOptions {
  readonly logger: Logger;
  /** Judges the caller's access token (the user pool's JWKS). */
  readonly verifier: TokenVerifier;
  readonly telemetry: TelemetryStore;
  readonly latest: LatestStore;
  /** Presence and latest values of many devices at once (the device state table). */
  readonly states: DeviceStateReader;
  /** Device status counts (`GET /data/device-status-counts`); without it the route is not registered. */
  readonly statusCounts?: DeviceStatusCounter;
  readonly deadLetters: DeadLetterStore;
  /** Replay of both dead-letter kinds; when absent, replay answers 501 and the list has no backlog. */
  readonly replay?: DeadLetterReplay;
  /** User-defined alarms; without them the alarm routes are not registered. */
  readonly alarms?: Pick<Alarms, 'definitions' | 'definitionCache' | 'states' | 'events' | 'writer'>;
  /** Data jobs (export, import, replay); without them their routes are not registered. */
  readonly dataJobs?: { readonly jobs: DataJobs; readonly s3: S3Client; readonly bucket: string };
  /** Rollup buckets for charts of intervals a minute or wider. @default every chart from raw readings */
  readonly rollups?: RollupReader;
  /** The retention settings and how a new archive retention reaches the bucket; without them no retention routes. */
  readonly retention?: { readonly store: RetentionStore; readonly applyArchiveDays: (archiveDays: number) => Promise<unknown> };
  /** Readiness: the consumer and the dependencies (see service.ts). @default ready, nothing probed */
  readonly health?: HealthProbe;
  /** The data's volume and modelled cost (`GET /data/data-usage`); without it the route is not registered. */
  readonly usage?: DataUsageReader;
  /** The thing groups of devices, for callers granted only some groups (device-scope.ts). @default such callers read no device */
  readonly groups?: GroupMembership;
  /** The devices directly in a thing group (AWS IoT's ListThingsInThingGroup), for a scoped caller's status counts. */
  readonly groupDevices?: (thingGroup: string) => Promise<readonly string[]>;
}

/** Builds the Fastify app; the caller listens (main.ts) or injects (tests). */
export function buildApp(options: AppOptions) {
  // No log line per request: the API Service calls this often and each line is billed log ingestion.
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    // Fleet's HTTP server and error answers; only the alarm routes take a (small) body, with their own limit.
    ...serviceServerOptions({ bodyLimit: bodyLimits.none }),
    // A field a closed schema does not name is refused, never dropped: Ajv's default
    // (`removeAdditional: true`) strips fields while it tries the branches of a union, so a valid
    // `{ kind: 'readings', breaching, of }` lost its fields to the `immediate` branch and failed.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const caller: RequireCaller = (permission, check) => requireCaller(options.verifier, permission, check);
  const scope = createDeviceScope(options.groups ? { groups: options.groups } : {});

  app.setErrorHandler((err: FastifyError | AnswerError, request, reply) => {
    if ('validation' in err && err.validation) {
      // Fastify already prefixes the message with the part of the request (querystring/from ...).
      return reply.code(400).send({ code: 'ValidationError', message: boundedMessage(err.message) });
    }
    if (err instanceof AnswerError) return reply.code(err.statusCode).send({ code: err.code, message: boundedMessage(err.message) });
    const status = err.statusCode ?? 500;
    if (status < 500) {
      if (err.code?.startsWith('FST_ERR_CTP_')) keepConnectionAfterBodyError(request, reply);
      return reply.code(status).send({ code: errorCodeForStatus(status), message: boundedMessage(err.message) });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ code: 'InternalError', message: `internal error (request ${request.id})` });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 'NotFound', message: boundedMessage(`no route ${request.method} ${request.url}`) }),
  );

  // Liveness (ECS container check, ALB target group) and readiness (dependencies): see @fleet/core health.ts.
  app.get('/data/health/live', { schema: { response: { 200: LivenessSchema } } }, async () => ({ status: 'ok' as const }));
  const health = options.health ?? createHealthProbe({ service: 'data', dependencies: [] });
  app.get('/data/health', { schema: { response: { 200: HealthReportSchema, 503: HealthReportSchema } } }, async (_req, reply) => {
    const report = await health.report();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  registerTelemetryRoutes(app, {
    caller,
    scope,
    telemetry: options.telemetry,
    latest: options.latest,
    ...(options.rollups ? { rollups: options.rollups } : {}),
    ...(options.retention ? { retention: options.retention.store } : {}),
  });
  if (options.retention) {
    registerRetentionRoutes(app, { caller, retention: options.retention.store, applyArchiveDays: options.retention.applyArchiveDays });
  }
  registerDeviceStateRoutes(app, {
    caller,
    scope,
    states: options.states,
    ...(options.groupDevices ? { groupDevices: options.groupDevices } : {}),
    ...(options.statusCounts ? { statusCounts: options.statusCounts } : {}),
  });
  registerDeadLetterRoutes(app, { caller, deadLetters: options.deadLetters, ...(options.replay ? { replay: options.replay } : {}) });
  if (options.alarms) registerAlarmRoutes(app, { caller, scope, alarms: options.alarms });
  if (options.usage) registerDataUsageRoute(app, { caller, usage: options.usage });
  if (options.dataJobs) {
    const { jobs, s3, bucket } = options.dataJobs;
    registerJobRoutes(app, { caller, store: jobs.store, links: jobs.links, s3, bucket, groupsAvailable: jobs.groupsAvailable });
  }
  return app;
}
