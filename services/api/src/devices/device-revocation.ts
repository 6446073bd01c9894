/**
 * Revoking a device, for `DELETE /api/devices/:id` and the bulk revoke: its configuration (shadow),
 * its certificates, its thing and its registry item go, in an order that lets a failed revocation
 * be run again; then a record of it is kept for the Admin area's revoked devices.
 */
import type { AuditActor } from '@fleet/core';
import type { Logger } from 'pino';
import type { RevokedDevices } from '../audit/revoked-devices.ts';
import type { DeviceConfigStore } from '../control/device-config.ts';
import type { DeviceRegistry } from './device-registry.ts';
import type { IotProvisioning } from './iot-provisioning.ts';

/** Revokes a registered device on behalf of `revokedBy`; `false` when it is not registered. */
export type RevokeDevice = (deviceId: string, revokedBy: AuditActor) => Promise<boolean>;

export function createDeviceRevocation(deps: {
  registry: DeviceRegistry;
  config: DeviceConfigStore;
  provisioning: IotProvisioning;
  /** Where a revoked device's record is kept (the Admin area lists them). */
  revoked: Pick<RevokedDevices, 'record'>;
  logger: Logger;
}): RevokeDevice {
  const { registry, config, provisioning, revoked, logger } = deps;
  return async (deviceId, revokedBy) => {
    const history = await registry.certificateHistory(deviceId);
    if (!history) return false;
    const device = history.record;
    // First, so a failure leaves the device in place to revoke again: a device registered later
    // under the same id must not inherit this one's configuration (AWS keeps a deleted thing's shadow).
    await config.remove(deviceId);
    // Every certificate goes: the current one, the others a rotation attached, the revoked ones kept listed.
    await provisioning.deprovision({
      deviceId,
      certificateArn: device.certificateArn,
      certificateId: device.certificateId,
      revokedCertificates: history.revoked,
    });
    await registry.remove(deviceId);
    // After the removal, so a record means the device is gone. The revocation is done whatever
    // happens to its record: a failed write is logged, and the audit entry of the call still says
    // who revoked it.
    await revoked
      .record({
        deviceId,
        name: device.name,
        certificateId: device.certificateId,
        registeredAt: device.createdAt,
        revokedAt: new Date().toISOString(),
        revokedBy,
      })
      .catch((err: unknown) => logger.error({ err, deviceId }, 'revoked device record not written'));
    return true;
  };
}
