/**
 * `GET /data/device-states?ids=a,b,c`: presence and latest reading of up to 100 devices in one
 * call (one BatchGetItem), for the API Service's device list and device page: the Data Service owns
 * the device state table and the API asks it, a page at a time, never a device at a time
 * (docs/adr/0001-table-ownership.md). Answers the `@fleet/core` device-state contract.
 *
 * A caller granted only some thing groups (device-scope.ts) gets a device outside them answered as
 * a device without state (offline, no latest), exactly as an id the table does not hold, and
 * status counts of the devices of their groups alone.
 */
import {
  chunk,
  deviceIdPattern,
  deviceLimits,
  DeviceStatesSchema,
  DeviceStatusCountsSchema,
  deviceStatusCountsPath,
  errorResponses,
} from '@fleet/core';
import { Type } from 'typebox';
import { callerErrors, callerOf, type RequireCaller } from '../caller-check.ts';
import type { DeviceScope } from '../device-scope.ts';
import { stateOfItem, type DeviceStateReader } from '../device-states.ts';
import { createStatusTally, type DeviceStatusCounter } from '../device-status-counts.ts';
import type { DataApp } from './answer-error.ts';

export interface DeviceStateRoutesDeps {
  readonly caller: RequireCaller;
  readonly scope: DeviceScope;
  readonly states: DeviceStateReader;
  /** `GET /data/device-status-counts`; without it the route is not registered. */
  readonly statusCounts?: DeviceStatusCounter;
  /** The devices directly in a thing group, for the counts of a scoped caller. @default none: such a caller counts no device */
  readonly groupDevices?: (thingGroup: string) => Promise<readonly string[]>;
  readonly now?: () => number;
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
    async (request) => {
      const ids = request.query.ids.split(',');
      const readable = await deps.scope.within(callerOf(request), ids);
      const known = new Map((await deps.states.getMany(ids.filter((id) => readable.has(id)))).map((s) => [s.deviceId, s]));
      return { devices: ids.map((id) => known.get(id) ?? stateOfItem(id, undefined)) };
    },
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
      async (request) => {
        const access = deps.scope.accessOf(callerOf(request));
        if (access.kind === 'all') return statusCounts.counts();
        // A few groups' devices, read a page at a time: not the whole table's cached Scan.
        const { groupDevices = async () => [] } = deps;
        const ids = new Set((await Promise.all(access.groups.map(groupDevices))).flat());
        const tally = createStatusTally((deps.now ?? Date.now)());
        const all = [...ids];
        for (const page of chunk(all, deviceLimits.maxPage)) {
          for (const state of await deps.states.getMany(page)) tally.add(state);
        }
        return tally.result();
      },
    );
  }
}
