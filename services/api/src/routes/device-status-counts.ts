/**
 * `GET /api/device-status-counts`: how many devices are online, silent and offline, relayed from
 * the Data Service, which owns the device state (`@fleet/core` web-app/device-status-counts.ts).
 * One bounded answer for a dashboard's status widget, never a listing of the fleet.
 */
import { DeviceStatusCountsSchema, deviceStatusCountsPath, errorResponses } from '@fleet/core';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { bearer, dataServiceErrors, permissionErrors } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

export function registerDeviceStatusCountRoutes(app: TypedApp, deps: { authorizer: Authorizer; dataService: DataServiceClient }): void {
  app.get(
    `/api${deviceStatusCountsPath}`,
    {
      onRequest: deps.authorizer.require('readDevices'),
      schema: {
        tags: ['devices'],
        summary: 'How many devices are online, silent (connected, no recent reading) and offline; counted at most every 10 s',
        security: bearer,
        response: { 200: DeviceStatusCountsSchema, ...errorResponses(...permissionErrors, ...dataServiceErrors) },
      },
    },
    async (request) =>
      deps.dataService.get(DeviceStatusCountsSchema, {
        path: `/data${deviceStatusCountsPath}`,
        query: '',
        accessToken: authOf(request).accessToken,
      }),
  );
}
