/**
 * `GET /api/device-status-counts`: how many devices are online, silent and offline, relayed from
 * the Data Service, which owns the device state (`@fleet/core` web-app/device-status-counts.ts).
 * One bounded answer for a dashboard's status widget, never a listing of the fleet.
 */
import {
  DeviceStatusCountsSchema,
  deviceStatusCountsPath,
  deviceStatusOf,
  errorResponses,
  silentAfterMs,
  type DeviceState,
  type DeviceStatusCounts,
} from '@fleet/core';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import type { DeviceScope } from '../auth/device-scope.ts';
import { bearer, dataServiceErrors, permissionErrors } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

/** A device the Data Service keeps a state of (a device never heard from answers a bare `{ deviceId, online: false }`). */
const heardFrom = (s: DeviceState) => s.online || s.lastSeenAt !== undefined || s.connectedAt !== undefined || s.latest !== undefined;

export interface DeviceStatusCountRoutesDeps {
  readonly authorizer: Authorizer;
  readonly dataService: DataServiceClient;
  readonly scope: Pick<DeviceScope, 'visible'>;
  /** @default Date.now */
  readonly now?: () => number;
}

export function registerDeviceStatusCountRoutes(app: TypedApp, deps: DeviceStatusCountRoutesDeps): void {
  const now = deps.now ?? Date.now;
  app.get(
    `/api${deviceStatusCountsPath}`,
    {
      onRequest: deps.authorizer.require('readDevices'),
      schema: {
        tags: ['devices'],
        summary: 'How many devices are online, silent (connected, no recent reading) and offline; counted at most every 10 s',
        description: 'For a user whose access is limited to thing groups: their devices only, counted at each call.',
        security: bearer,
        response: { 200: DeviceStatusCountsSchema, ...errorResponses(...permissionErrors, ...dataServiceErrors) },
      },
    },
    async (request): Promise<DeviceStatusCounts> => {
      const caller = authOf(request);
      const visible = await deps.scope.visible(caller);
      if (visible) {
        // A scoped caller's devices are counted here, from their states (the fleet-wide count cannot be
        // split), with the Data Service's meaning: the devices heard from (connected or published once).
        const at = now();
        const states = await deps.dataService.deviceStates([...visible.ids], caller.accessToken);
        const counts = { online: 0, silent: 0, offline: 0 };
        for (const state of states.filter(heardFrom)) counts[deviceStatusOf(state, at)]++;
        const total = counts.online + counts.silent + counts.offline;
        return { ...counts, total, silentAfterMs, countedAt: new Date(at).toISOString() };
      }
      return deps.dataService.get(DeviceStatusCountsSchema, {
        path: `/data${deviceStatusCountsPath}`,
        query: '',
        accessToken: caller.accessToken,
      });
    },
  );
}
