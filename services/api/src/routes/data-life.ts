/**
 * The data's life, owned by the Data Service (it keeps the retention settings, measures the
 * volumes, runs the jobs): the API checks the caller's role first, then what only it knows (an
 * export's devices are registered, its group exists; an import's device is registered), then
 * relays the same path under `/data` with the caller's token and checks the answer against the
 * `@fleet/core` contract (data-life/). Bodies are validated here with the same schemas, so a bad
 * one never travels.
 *
 * Creating a job needs the permission of its kind (exportData, importData, replayArchive): the
 * kind is in the body, so the route's hook checks the token and the handler the kind.
 */
import {
  bodyLimits,
  can,
  DataJobIdSchema,
  DataJobInputSchema,
  DataJobListQuerySchema,
  DataJobPageSchema,
  DataJobSchema,
  dataJobLimits,
  dataJobPermissions,
  dataLifePaths,
  DataUsageSchema,
  errorResponses,
  mapWithLimit,
  RetentionSettingsInputSchema,
  RetentionSettingsSchema,
  retentionProblems,
  type DataJobInput,
} from '@fleet/core';
import type { Caller } from '@fleet/core/tokens';
import { requireGroup, requireWholeFleet } from '../auth/device-scope.ts';
import { authOf } from '../auth/authorize.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, dataServiceErrors, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { apiPath as api, dataPath as data, queryOf, tokenOf, type RelayRoutesDeps } from '../http/relay.ts';

export type DataLifeRoutesDeps = RelayRoutesDeps;

const tags = ['data'];
const JobParams = StrictObject({ id: DataJobIdSchema });

/** Registry or IoT reads in flight while an export's devices or the retention's groups are checked (at most 100 each). */
const registryConcurrency = 8;

export function registerDataLifeRoutes(app: TypedApp, deps: DataLifeRoutesDeps): void {
  const { dataService } = deps;

  /**
   * What only the API knows: the registry's devices and IoT's thing groups, and whether the caller
   * may reach them. A user limited to thing groups exports their devices or groups only, and starts
   * no import or archive replay (they write readings whatever the device).
   */
  async function checkDevices(caller: Caller, input: DataJobInput) {
    if (input.kind !== 'export') requireWholeFleet(caller, `A data ${input.kind}`);
    else if (input.groupName !== undefined) requireGroup(caller, input.groupName);
    else if (!input.deviceIds?.length) requireWholeFleet(caller, 'An export of every device');
    const deviceIds = input.kind === 'export' ? (input.deviceIds ?? []) : input.kind === 'import' ? [input.deviceId] : [];
    const found = await mapWithLimit(deviceIds, registryConcurrency, async (id) => ({ id, record: await deps.scope.device(caller, id) }));
    const missing = found.filter((f) => !f.record).map((f) => f.id);
    if (missing.length > 0) {
      throw apiError(
        'DeviceNotFound',
        `Device${missing.length > 1 ? 's' : ''} ${missing.map((id) => `"${id}"`).join(', ')} not registered`,
      );
    }
    if (input.kind === 'export' && input.groupName !== undefined) await deps.groupArn(input.groupName);
  }

  app.get(
    api(dataLifePaths.retention),
    {
      onRequest: deps.authorizer.require('readDataUsage'),
      schema: {
        tags,
        summary: 'How long each kind of data is kept: the fleet policy and the groups that override it',
        security: bearer,
        querystring: StrictObject({}),
        response: { 200: RetentionSettingsSchema, ...errorResponses(...permissionErrors, 'ValidationError', ...dataServiceErrors) },
      },
    },
    async (request) =>
      dataService.get(RetentionSettingsSchema, { path: data(dataLifePaths.retention), query: '', accessToken: tokenOf(request) }),
  );

  app.put(
    api(dataLifePaths.retention),
    {
      onRequest: deps.authorizer.require('manageRetention'),
      schema: {
        tags,
        summary: 'Change the retention (admins): the whole settings, fleet and groups',
        description:
          'A coarser level must be kept at least as long as a finer one (raw ≤ minutes ≤ hours ≤ days), else 400. ' +
          'A change applies to data written after it (DynamoDB TTL is set per item when written); the archive ' +
          `retention replaces the bucket's lifecycle rule. ${bodyLimitNote(bodyLimits.api)}`,
        security: bearer,
        body: RetentionSettingsInputSchema,
        response: {
          200: RetentionSettingsSchema,
          ...errorResponses(...permissionErrors, ...bodyErrors, 'GroupNotFound', ...dataServiceErrors),
        },
      },
    },
    async (request) => {
      const problems = retentionProblems(request.body);
      if (problems.length > 0) throw apiError('ValidationError', `The retention is not consistent: ${problems.join('; ')}`);
      await mapWithLimit(Object.keys(request.body.groups), registryConcurrency, deps.groupArn);
      return dataService.put(RetentionSettingsSchema, {
        path: data(dataLifePaths.retention),
        query: '',
        accessToken: tokenOf(request),
        body: request.body,
        relay: ['ValidationError'],
      });
    },
  );

  app.get(
    api(dataLifePaths.usage),
    {
      onRequest: deps.authorizer.require('readDataUsage'),
      schema: {
        tags,
        summary: "The data's measured volume per store and its modelled monthly cost",
        security: bearer,
        querystring: StrictObject({}),
        response: { 200: DataUsageSchema, ...errorResponses(...permissionErrors, 'ValidationError', ...dataServiceErrors) },
      },
    },
    async (request) => {
      requireWholeFleet(authOf(request), "The fleet's data volumes");
      return dataService.get(DataUsageSchema, { path: data(dataLifePaths.usage), query: '', accessToken: tokenOf(request) });
    },
  );

  app.get(
    api(dataLifePaths.jobs),
    {
      onRequest: deps.authorizer.require('readDataUsage'),
      schema: {
        tags,
        summary: 'Data jobs (exports, imports, archive replays), newest first, paged',
        description: `Finished jobs leave the list after ${dataJobLimits.keepDays} days.`,
        security: bearer,
        querystring: DataJobListQuerySchema,
        response: { 200: DataJobPageSchema, ...errorResponses(...permissionErrors, 'ValidationError', ...dataServiceErrors) },
      },
    },
    async (request) =>
      dataService.get(DataJobPageSchema, {
        path: data(dataLifePaths.jobs),
        query: queryOf(request),
        accessToken: tokenOf(request),
        relay: ['ValidationError'],
      }),
  );

  app.post(
    api(dataLifePaths.jobs),
    {
      onRequest: deps.authorizer.require(),
      schema: {
        tags,
        summary: 'Create a data job: an export (operators), an import (operators) or an archive replay (admins)',
        description:
          'An export names `deviceIds` (registered: else 404 DeviceNotFound) or a `groupName` (an existing thing group: else 404 ' +
          'GroupNotFound). An import answers `awaiting-upload` with `upload`: PUT the file to `upload.url` with its ' +
          `Content-Type, then POST …/start. ${bodyLimitNote(bodyLimits.api)}`,
        security: bearer,
        body: DataJobInputSchema,
        response: {
          201: DataJobSchema,
          ...errorResponses(
            ...permissionErrors,
            ...bodyErrors,
            'DeviceNotFound',
            'GroupNotFound',
            'OutsideDeviceAccess',
            ...dataServiceErrors,
          ),
        },
      },
    },
    async (request, reply) => {
      const { role } = authOf(request);
      const { kind } = request.body;
      if (!can(role, dataJobPermissions[kind])) throw apiError('Forbidden', `Role "${role}" may not create ${kind} jobs`);
      await checkDevices(authOf(request), request.body);
      const created = await dataService.post(DataJobSchema, {
        path: data(dataLifePaths.jobs),
        query: '',
        accessToken: tokenOf(request),
        body: request.body,
        relay: ['ValidationError'],
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    api(dataLifePaths.job),
    {
      onRequest: deps.authorizer.require('readDataUsage'),
      schema: {
        tags,
        summary: 'One data job with its progress; a finished export carries a fresh download link',
        security: bearer,
        params: JobParams,
        querystring: StrictObject({}),
        response: { 200: DataJobSchema, ...errorResponses(...permissionErrors, ...paramErrors, 'JobNotFound', ...dataServiceErrors) },
      },
    },
    async (request) =>
      dataService.get(DataJobSchema, {
        path: data(`/data-jobs/${request.params.id}`),
        query: '',
        accessToken: tokenOf(request),
        relay: ['JobNotFound'],
      }),
  );

  app.post(
    api(dataLifePaths.startJob),
    {
      onRequest: deps.authorizer.require('importData'),
      schema: {
        tags,
        summary: 'Start an import whose file is uploaded',
        description:
          'The job must be `awaiting-upload` (else 409 JobStateConflict) and its file uploaded within its size (else 400). ' +
          bodyLimitNote(bodyLimits.api),
        security: bearer,
        params: JobParams,
        // No body is read, but one sent is parsed (and refused) as on every POST.
        response: {
          200: DataJobSchema,
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'JobNotFound', 'JobStateConflict', ...dataServiceErrors),
        },
      },
    },
    async (request) =>
      dataService.post(DataJobSchema, {
        path: data(`/data-jobs/${request.params.id}/start`),
        query: '',
        accessToken: tokenOf(request),
        relay: ['ValidationError', 'JobNotFound', 'JobStateConflict'],
      }),
  );
}
