/**
 * `GET /data/device-states?ids=a,b,c`: presence and latest reading of up to 100 devices in one
 * call (one BatchGetItem), for the API Service's device list and device page: the Data Service owns
 * the device state table and the API asks it, a page at a time, never a device at a time
 * (docs/adr/0001-table-ownership.md). Answers the `@fleet/core` device-state contract.
 */
import { deviceIdPattern, deviceLimits, DeviceStatesSchema, errorResponses } from '@fleet/core';
import { Type } from 'typebox';
import { callerErrors, type RequireCaller } from '../caller-check.ts';
import type { DeviceStateReader } from '../device-states.ts';
import type { DataApp } from './answer-error.ts';

export interface DeviceStateRoutesDeps {
  readonly caller: RequireCaller;
  readonly states: DeviceStateReader;
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
}
