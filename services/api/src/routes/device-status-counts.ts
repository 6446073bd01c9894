/**
 * `GET /api/device-status-counts`: how many devices are online, silent and offline, relayed from
 * the Data Service, which owns the device state (`@fleet/core` web-app/device-status-counts.ts).
 * One bounded answer for a dashboard's status widget, never a listing of the fleet.
 */
import { DeviceStatusCountsSchema, deviceStatusCountsPath, errorResponses, type DeviceStatusCounts } from '@fleet/core';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import type { DeviceScope } from '../auth/device-scope.ts';
import { countDevicesOf } from '../overview/device-counts.ts';
import { bearer, dataServiceErrors, permissionErrors } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

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
        description:
          'For a user whose access is limited to thing groups: their devices only, counted at each call (`total`: their registered devices).',
        security: bearer,
        response: { 200: DeviceStatusCountsSchema, ...errorResponses(...permissionErrors, ...dataServiceErrors) },
      },
    },
    async (request): Promise<DeviceStatusCounts> => {
      const caller = authOf(request);
      const visible = await deps.scope.visible(caller);
      if (visible) {
        // A scoped caller's devices are counted here, from their states: the fleet-wide count cannot be split.
        const at = now();
        const { online, silent, offline, total, silentAfterMs } = await countDevicesOf(deps, [...visible.ids], caller.accessToken, at);
        return { online, silent, offline, total, silentAfterMs, countedAt: new Date(at).toISOString() };
      }
      return deps.dataService.get(DeviceStatusCountsSchema, {
        path: `/data${deviceStatusCountsPath}`,
        query: '',
        accessToken: caller.accessToken,
      });
    },
  );
}
