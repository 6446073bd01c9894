/**
 * Revoking a device, for `DELETE /api/devices/:id` and the bulk revoke: its configuration (shadow),
 * its certificate, its thing and its registry item go, in an order that lets a failed revocation
 * be run again.
 */
import type { DeviceConfigStore } from '../control/device-config.ts';
import type { DeviceRegistry } from './device-registry.ts';
import type { IotProvisioning } from './iot-provisioning.ts';

/** Revokes a registered device; `false` when it is not registered. */
export type RevokeDevice = (deviceId: string) => Promise<boolean>;

export function createDeviceRevocation(deps: {
  registry: DeviceRegistry;
  config: DeviceConfigStore;
  provisioning: IotProvisioning;
}): RevokeDevice {
  const { registry, config, provisioning } = deps;
  return async (deviceId) => {
    const device = await registry.get(deviceId);
    if (!device) return false;
    // First, so a failure leaves the device in place to revoke again: a device registered later
    // under the same id must not inherit this one's configuration (AWS keeps a deleted thing's shadow).
    await config.remove(deviceId);
    await provisioning.deprovision({ deviceId, certificateArn: device.certificateArn, certificateId: device.certificateId });
    await registry.remove(deviceId);
    return true;
  };
}
