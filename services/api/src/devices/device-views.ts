/**
 * The device view: a registry item (the API's table) joined with the device's state (presence and
 * latest reading, the Data Service's table), asked from the Data Service with the caller's token.
 * One device costs one Data Service call, and its registry item comes from the device index
 * (at most `registryMaxAgeMs` old, a GetItem when it is not that fresh); the list is answered from the
 * device index (`device-index.ts`), which reads the states of the fleet in bulk, never one call per device.
 */
import type { DeviceRecord, DeviceState, DeviceView, ThingAttributes } from '@fleet/core';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';
import type { DeviceIndex, IndexScope } from './device-index.ts';
import { queryDevices, withActivity, type DeviceListPage, type DeviceListRequest } from './device-query.ts';

export interface DeviceViews {
  get(deviceId: string, accessToken: string): Promise<DeviceView | undefined>;
  /** A page of the devices matching a filter, in the order asked; with `scope`, among a scoped caller's devices only. */
  list(request: DeviceListRequest, accessToken: string, scope?: IndexScope): Promise<DeviceListPage>;
}

/**
 * A device as the API answers it; `state` undefined for one just registered (offline, no reading),
 * `attributes` its thing's (the device list has them, from the device index).
 */
export function deviceView(record: DeviceRecord, state?: DeviceState, attributes?: ThingAttributes): DeviceView {
  // The state's own `deviceId` is the record's (the client checks the Data Service answered the devices asked).
  const { deviceId: _sameId, ...presenceAndLatest } = state ?? { deviceId: record.deviceId, online: false };
  return { ...record, ...presenceAndLatest, ...(attributes ? { attributes } : {}) };
}

export function createDeviceViews(deps: {
  dataService: DataServiceClient;
  index: Pick<DeviceIndex, 'devices' | 'membersOf' | 'record'>;
  now?: () => number;
}): DeviceViews {
  const { dataService, index } = deps;
  const now = deps.now ?? Date.now;
  return {
    async get(deviceId, accessToken) {
      const record = await index.record(deviceId);
      if (!record) return undefined;
      const [state] = await dataService.deviceStates([deviceId], accessToken);
      // With its connectivity and last activity, as the list shows it.
      return withActivity(deviceView(record, state), now());
    },
    async list(request, accessToken, scope) {
      const [devices, groupMembers] = await Promise.all([
        index.devices(accessToken, scope),
        request.filter.group === undefined ? undefined : index.membersOf(request.filter.group),
      ]);
      return queryDevices(devices, request, { now: now(), ...(groupMembers ? { groupMembers } : {}) });
    },
  };
}
