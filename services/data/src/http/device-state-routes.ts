/**
 * `GET /data/device-states?ids=a,b,c`: presence and latest reading of up to 100 devices in one
 * call (one BatchGetItem), for the API Service's device list and device page: the Data Service owns
 * the device state table and the API asks it, a page at a time, never a device at a time
 * (docs/adr/0001-table-ownership.md). Answers the `@fleet/core` device-state contract.
 */
import {
  deviceIdPattern,
  deviceLimits,
  DeviceStatesSchema,
  DeviceStatusCountsSchema,
  deviceStatusCountsPath,
  errorResponses,
} from '@fleet/core';
import { Type } from 'typebox';
import { callerErrors, type RequireCaller } from '../caller-check.ts';
import type { DeviceStateReader } from '../device-states.ts';
import type { DeviceStatusCounter } from '../device-status-counts.ts';
import type { DataApp } from './answer-error.ts';

export interface DeviceStateRoutesDeps {
  readonly caller: RequireCaller;
  readonly states: DeviceStateReader;
  /** `GET /data/device-status-counts`; without it the route is not registered. */
  readonly statusCounts?: DeviceStatusCounter;
}

const id = deviceIdPattern.source.slice(1, -1);

export function registerDeviceStateRoutes(app: DataApp, deps: DeviceStateRoutesDeps): void {
  app.get(
    '/data/device-states',
    {
      onRequest: deps.caller('readDevices'),
      schema: {
        querystring: Type.Object({
          ids: Type.String({
            // Ids of at most 64 characters, comma-separated: 100 of them fit a request target of 8 KiB.
            pattern: `^${id}(,${id}){0,${deviceLimits.maxPage - 1}}$`,
            maxLength: deviceLimits.maxPage * 65,
            description: `Comma-separated device ids, at most ${deviceLimits.maxPage}`,
          }),
        }),
        response: { 200: DeviceStatesSchema, ...errorResponses(...callerErrors, 'ValidationError') },
      },
    },
    async (request) => ({ devices: await deps.states.getMany(request.query.ids.split(',')) }),
  );

  const { statusCounts } = deps;
  if (statusCounts) {
    // How many devices are online, silent, offline: one bounded answer for a dashboard, whatever the fleet's size.
    app.get(
      `/data${deviceStatusCountsPath}`,
      {
        onRequest: deps.caller('readDevices'),
        schema: { response: { 200: DeviceStatusCountsSchema, ...errorResponses(...callerErrors) } },
      },
      async () => statusCounts.counts(),
    );
  }
}
