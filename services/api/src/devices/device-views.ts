/**
 * The device view: a registry item (the API's table) joined with the device's state (presence and
 * latest reading, the Data Service's table), asked from the Data Service with the caller's token.
 * A page of devices costs one Scan and one Data Service call (one BatchGetItem there), not a call
 * per device.
 */
import type { DeviceRecord, DeviceState, DeviceView } from '@fleet/core';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';
import type { DeviceRegistry } from './device-registry.ts';

export interface DeviceViews {
  get(deviceId: string, accessToken: string): Promise<DeviceView | undefined>;
  list(page: { limit: number; cursor?: string }, accessToken: string): Promise<{ items: DeviceView[]; nextCursor?: string }>;
}

/** A device as the API answers it; `state` undefined for one just registered (offline, no reading). */
export function deviceView(record: DeviceRecord, state?: DeviceState): DeviceView {
  // The state's own `deviceId` is the record's (the client checks the Data Service answered the devices asked).
  const { deviceId: _sameId, ...presenceAndLatest } = state ?? { deviceId: record.deviceId, online: false };
  return { ...record, ...presenceAndLatest };
}

export function createDeviceViews(deps: { registry: DeviceRegistry; dataService: DataServiceClient }): DeviceViews {
  const { registry, dataService } = deps;
  return {
    async get(deviceId, accessToken) {
      const record = await registry.get(deviceId);
      if (!record) return undefined;
      const [state] = await dataService.deviceStates([deviceId], accessToken);
      return deviceView(record, state);
    },
    async list(page, accessToken) {
      const { items, nextCursor } = await registry.list(page);
      const states =
        items.length > 0
          ? await dataService.deviceStates(
              items.map((r) => r.deviceId),
              accessToken,
            )
          : [];
      return { items: items.map((record, i) => deviceView(record, states[i])), ...(nextCursor ? { nextCursor } : {}) };
    },
  };
}
