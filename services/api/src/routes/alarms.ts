/**
 * Alarms, owned by the Data Service (it evaluates them on ingest and keeps them in its table): the
 * API checks the caller's role, checks what only it can (a `device` scope names a registered
 * device: 404 DeviceNotFound; a `group` scope an existing thing group: 404 GroupNotFound), then
 * relays the same path under `/data` with the caller's token and checks the answer against the
 * `@fleet/core` alarm contract. Bodies are validated here with the same schemas, so a bad one never
 * travels.
 */
import {
  AlarmActionSchema,
  AlarmDefinitionIdSchema,
  AlarmDefinitionInputSchema,
  AlarmDefinitionListSchema,
  AlarmDefinitionSchema,
  AlarmDefinitionUpdateSchema,
  AlarmFeedReadSchema,
  AlarmEventsQuerySchema,
  AlarmFeedSchema,
  AlarmListQuerySchema,
  AlarmPageSchema,
  AlarmSchema,
  alarmLimits,
  alarmPaths,
  bodyLimits,
  DeviceIdSchema,
  errorResponses,
  type AlarmScope,
} from '@fleet/core';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { requireGroup, requireWholeFleet } from '../auth/device-scope.ts';
import { authOf } from '../auth/authorize.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, dataServiceErrors, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { apiPath as api, dataPath as data, queryOf, tokenOf, type RelayRoutesDeps } from '../http/relay.ts';

export type AlarmRoutesDeps = RelayRoutesDeps;

const tags = ['alarms'];
const DefinitionParams = StrictObject({ id: AlarmDefinitionIdSchema });
const AlarmParams = StrictObject({ definitionId: AlarmDefinitionIdSchema, deviceId: DeviceIdSchema });

export function registerAlarmRoutes(app: TypedApp, deps: AlarmRoutesDeps): void {
  const { dataService } = deps;

  /**
   * What only the API knows: the registry's devices and IoT's thing groups, and whether the caller
   * may reach them (a user limited to thing groups defines alarms on their devices and groups only).
   */
  async function checkScope(request: FastifyRequest, scope: AlarmScope) {
    const caller = authOf(request);
    if (scope.kind === 'device') await deps.scope.requireDevice(caller, scope.deviceId);
    else if (scope.kind === 'group') {
      requireGroup(caller, scope.groupName);
      await deps.groupArn(scope.groupName);
    } else requireWholeFleet(caller, 'An alarm on the whole fleet');
  }

  app.get(
    api(alarmPaths.definitions),
    {
      onRequest: deps.authorizer.require('readAlarms'),
      schema: {
        tags,
        summary: 'Alarm definitions',
        security: bearer,
        querystring: StrictObject({}),
        response: { 200: AlarmDefinitionListSchema, ...errorResponses(...permissionErrors, 'ValidationError', ...dataServiceErrors) },
      },
    },
    async (request) =>
      dataService.get(AlarmDefinitionListSchema, { path: data(alarmPaths.definitions), query: '', accessToken: tokenOf(request) }),
  );

  app.post(
    api(alarmPaths.definitions),
    {
      onRequest: deps.authorizer.require('manageAlarms'),
      schema: {
        tags,
        summary: 'Define an alarm (operators, admins)',
        description: `At most ${alarmLimits.maxDefinitions} definitions (409 AlarmLimitExceeded). ${bodyLimitNote(bodyLimits.api)}`,
        security: bearer,
        body: AlarmDefinitionInputSchema,
        response: {
          201: AlarmDefinitionSchema,
          ...errorResponses(
            ...permissionErrors,
            ...bodyErrors,
            'DeviceNotFound',
            'GroupNotFound',
            'OutsideDeviceAccess',
            'AlarmLimitExceeded',
            ...dataServiceErrors,
          ),
        },
      },
    },
    async (request, reply) => {
      await checkScope(request, request.body.scope);
      const created = await dataService.post(AlarmDefinitionSchema, {
        path: data(alarmPaths.definitions),
        query: '',
        accessToken: tokenOf(request),
        body: request.body,
        relay: ['ValidationError', 'AlarmLimitExceeded'],
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    api(alarmPaths.definition),
    {
      onRequest: deps.authorizer.require('readAlarms'),
      schema: {
        tags,
        summary: 'One alarm definition',
        security: bearer,
        params: DefinitionParams,
        response: {
          200: AlarmDefinitionSchema,
          ...errorResponses(...permissionErrors, ...paramErrors, 'AlarmDefinitionNotFound', ...dataServiceErrors),
        },
      },
    },
    async (request) =>
      dataService.get(AlarmDefinitionSchema, {
        path: data(`/alarm-definitions/${request.params.id}`),
        query: '',
        accessToken: tokenOf(request),
        relay: ['AlarmDefinitionNotFound'],
      }),
  );

  app.put(
    api(alarmPaths.definition),
    {
      onRequest: deps.authorizer.require('manageAlarms'),
      schema: {
        tags,
        summary: 'Change an alarm definition (the whole definition; `expectedVersion` guards against lost updates)',
        description: bodyLimitNote(bodyLimits.api),
        security: bearer,
        params: DefinitionParams,
        body: AlarmDefinitionUpdateSchema,
        response: {
          200: AlarmDefinitionSchema,
          ...errorResponses(
            ...permissionErrors,
            ...paramErrors,
            ...bodyErrors,
            'DeviceNotFound',
            'GroupNotFound',
            'OutsideDeviceAccess',
            'AlarmDefinitionNotFound',
            'AlarmStateConflict',
            ...dataServiceErrors,
          ),
        },
      },
    },
    async (request) => {
      await checkScope(request, request.body.scope);
      return dataService.put(AlarmDefinitionSchema, {
        path: data(`/alarm-definitions/${request.params.id}`),
        query: '',
        accessToken: tokenOf(request),
        body: request.body,
        relay: ['ValidationError', 'AlarmDefinitionNotFound', 'AlarmStateConflict'],
      });
    },
  );

  app.delete(
    api(alarmPaths.definition),
    {
      onRequest: deps.authorizer.require('manageAlarms'),
      schema: {
        tags,
        summary: 'Delete an alarm definition; its open alarms are cleared by the caller',
        security: bearer,
        params: DefinitionParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          // No body is read, but one sent is parsed (and refused) as on every DELETE.
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'AlarmDefinitionNotFound', ...dataServiceErrors),
        },
      },
    },
    async (request, reply) => {
      await dataService.noContent('DELETE', {
        path: data(`/alarm-definitions/${request.params.id}`),
        query: '',
        accessToken: tokenOf(request),
        relay: ['AlarmDefinitionNotFound'],
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    api(alarmPaths.alarms),
    {
      onRequest: deps.authorizer.require('readAlarms'),
      schema: {
        tags,
        summary: "Devices' alarms (their current or last occurrence), filtered and paged",
        security: bearer,
        querystring: AlarmListQuerySchema,
        response: { 200: AlarmPageSchema, ...errorResponses(...permissionErrors, 'ValidationError', ...dataServiceErrors) },
      },
    },
    async (request) =>
      dataService.get(AlarmPageSchema, {
        path: data(alarmPaths.alarms),
        query: queryOf(request),
        accessToken: tokenOf(request),
        relay: ['ValidationError'],
      }),
  );

  for (const action of ['acknowledge', 'clear'] as const) {
    app.post(
      api(alarmPaths[action]),
      {
        onRequest: deps.authorizer.require('manageAlarms'),
        schema: {
          tags,
          summary:
            action === 'acknowledge'
              ? 'Acknowledge an ACTIVE alarm (the occurrence the caller saw)'
              : 'Clear an ACTIVE or ACKNOWLEDGED alarm (the occurrence the caller saw)',
          description: `Records who and when, writes an event and notifies it. ${bodyLimitNote(bodyLimits.api)}`,
          security: bearer,
          params: AlarmParams,
          body: AlarmActionSchema,
          response: {
            200: AlarmSchema,
            ...errorResponses(
              ...permissionErrors,
              ...paramErrors,
              ...bodyErrors,
              'AlarmNotFound',
              'AlarmStateConflict',
              ...dataServiceErrors,
            ),
          },
        },
      },
      async (request) => {
        const { definitionId, deviceId } = request.params;
        // A device outside the caller's access has no alarm they may see, let alone change.
        if (!(await deps.scope.includes(authOf(request), deviceId)))
          throw apiError('AlarmNotFound', `No alarm of definition "${definitionId}" for device "${deviceId}"`);
        return dataService.post(AlarmSchema, {
          path: data(`/alarms/${definitionId}/${deviceId}/${action}`),
          query: '',
          accessToken: tokenOf(request),
          body: request.body,
          relay: ['ValidationError', 'AlarmNotFound', 'AlarmStateConflict'],
        });
      },
    );
  }

  app.get(
    api(alarmPaths.events),
    {
      onRequest: deps.authorizer.require('readAlarms'),
      schema: {
        tags,
        summary: "Alarm events, newest first, with the caller's unread count",
        security: bearer,
        querystring: AlarmEventsQuerySchema,
        response: { 200: AlarmFeedSchema, ...errorResponses(...permissionErrors, 'ValidationError', ...dataServiceErrors) },
      },
    },
    async (request) =>
      dataService.get(AlarmFeedSchema, {
        path: data(alarmPaths.events),
        query: queryOf(request),
        accessToken: tokenOf(request),
        relay: ['ValidationError'],
      }),
  );

  app.post(
    api(alarmPaths.eventsRead),
    {
      onRequest: deps.authorizer.require('readAlarms'),
      schema: {
        tags,
        summary: 'Mark the feed read up to a time (for the caller)',
        description: bodyLimitNote(bodyLimits.api),
        security: bearer,
        body: AlarmFeedReadSchema,
        response: {
          204: Type.Null({ description: 'Marked' }),
          ...errorResponses(...permissionErrors, ...bodyErrors, ...dataServiceErrors),
        },
      },
    },
    async (request, reply) => {
      await dataService.noContent('POST', {
        path: data(alarmPaths.eventsRead),
        query: '',
        accessToken: tokenOf(request),
        body: request.body,
        relay: ['ValidationError'],
      });
      return reply.code(204).send(null);
    },
  );
}
