/**
 * Bulk actions on devices (`POST /api/devices/bulk`): revoke, send one command, add to a thing
 * group. Each device gets its own result, so that one failure (a device revoked meanwhile, a thing
 * already in AWS IoT's maximum of 10 groups, a throttled call) names that device and leaves the
 * others done.
 */
import { AddThingToThingGroupCommand, CreateThingGroupCommand, DescribeThingGroupCommand } from '@aws-sdk/client-iot';
import {
  type AuditActor,
  controlLimits,
  deviceListLimits,
  mapWithLimit,
  type CommandDocument,
  type DeviceBulkAnswer,
  type DeviceBulkResult,
  type DeviceCommand,
  type DeviceRecord,
} from '@fleet/core';
import type { Logger } from 'pino';
import { awsErrorName, isResourceNotFound, type ApiClients } from '../aws-clients.ts';
import type { CommandJobs } from '../control/command-jobs.ts';
import { ApiError } from '../errors.ts';
import { thingArnOf } from '../routes/device-control.ts';
import type { DeviceRegistry } from './device-registry.ts';
import type { RevokeDevice } from './device-revocation.ts';

export type BulkOperation =
  | { readonly action: 'revoke'; readonly revokedBy: AuditActor }
  | { readonly action: 'command'; readonly command: DeviceCommand; readonly issuedBy: string }
  | { readonly action: 'addToGroup'; readonly group: string };

export interface BulkActions {
  run(operation: BulkOperation, deviceIds: readonly string[]): Promise<DeviceBulkAnswer>;
}

/** The result of a device that is not registered (also of one outside the caller's access: ids cannot be probed). */
export const notRegistered = (deviceId: string): DeviceBulkResult => ({
  deviceId,
  ok: false,
  code: 'DeviceNotFound',
  message: `Device "${deviceId}" is not registered`,
});

export function createBulkActions(deps: {
  registry: DeviceRegistry;
  revoke: RevokeDevice;
  commands: CommandJobs;
  iot: ApiClients['iot'];
  /** Tells the device index of a device this task put in a group. */
  addedToGroup: (group: string, deviceId: string) => void;
  logger: Logger;
}): BulkActions {
  const { registry, iot, logger } = deps;
  /** A device's failure as a result: the API's own errors as they are, AWS's by name, anything else hidden (logged). */
  const failure = (deviceId: string, err: unknown): DeviceBulkResult => {
    if (err instanceof ApiError) return { deviceId, ok: false, code: err.code, message: err.message };
    if (isResourceNotFound(err)) return notRegistered(deviceId);
    const name = awsErrorName(err);
    if (name === 'ThrottlingException') {
      return { deviceId, ok: false, code: 'ServiceUnavailable', message: 'AWS IoT throttled the call: try this device again' };
    }
    // E.g. a thing already in AWS IoT's maximum of 10 groups: AWS's message says which rule.
    if (name === 'InvalidRequestException' || name === 'LimitExceededException') {
      return { deviceId, ok: false, code: 'Conflict', message: (err as Error).message.slice(0, 1000) };
    }
    logger.error({ err, deviceId }, 'bulk action failed for a device');
    return { deviceId, ok: false, code: 'InternalError', message: 'Internal server error' };
  };
  const eachDevice = (deviceIds: readonly string[], act: (deviceId: string) => Promise<DeviceBulkResult>) =>
    mapWithLimit(deviceIds, deviceListLimits.bulkConcurrency, (deviceId) => act(deviceId).catch((err: unknown) => failure(deviceId, err)));

  async function command(deviceIds: readonly string[], command: DeviceCommand, issuedBy: string): Promise<DeviceBulkResult[]> {
    const records = await mapWithLimit(deviceIds, deviceListLimits.bulkConcurrency, (id) => registry.get(id));
    const found = records.filter((r): r is DeviceRecord => r !== undefined);
    const results = new Map<string, DeviceBulkResult>(deviceIds.map((id) => [id, notRegistered(id)]));
    // One job for the devices found (at most controlLimits.maxCommandTargets, which the bulk bound equals).
    for (let i = 0; i < found.length; i += controlLimits.maxCommandTargets) {
      const batch = found.slice(i, i + controlLimits.maxCommandTargets);
      const document: CommandDocument = {
        command: command.command,
        args: command.args ?? {},
        issuedBy,
        issuedAt: new Date().toISOString(),
      };
      try {
        const commandId = await deps.commands.send({
          document,
          targets: batch.map((r) => thingArnOf(r.certificateArn, r.deviceId)),
          timeoutMinutes: command.timeoutMinutes ?? controlLimits.defaultCommandTimeoutMinutes,
        });
        for (const r of batch) results.set(r.deviceId, { deviceId: r.deviceId, ok: true, commandId });
      } catch (err) {
        for (const r of batch) results.set(r.deviceId, failure(r.deviceId, err));
      }
    }
    return deviceIds.map((id) => results.get(id)!);
  }

  /** The group, created when missing (the way the AWS IoT console's "add to group" offers a new one). */
  async function ensureGroup(group: string): Promise<void> {
    try {
      await iot.send(new DescribeThingGroupCommand({ thingGroupName: group }));
    } catch (err) {
      if (!isResourceNotFound(err)) throw err;
      await iot.send(new CreateThingGroupCommand({ thingGroupName: group }));
      logger.info({ group }, 'thing group created');
    }
  }

  return {
    async run(operation, deviceIds) {
      let results: DeviceBulkResult[];
      if (operation.action === 'revoke') {
        results = await eachDevice(deviceIds, async (deviceId) =>
          (await deps.revoke(deviceId, operation.revokedBy)) ? { deviceId, ok: true } : notRegistered(deviceId),
        );
      } else if (operation.action === 'command') {
        results = await command(deviceIds, operation.command, operation.issuedBy);
      } else {
        const { group } = operation;
        await ensureGroup(group);
        results = await eachDevice(deviceIds, async (deviceId) => {
          if (!(await registry.get(deviceId))) return notRegistered(deviceId);
          await iot.send(new AddThingToThingGroupCommand({ thingGroupName: group, thingName: deviceId }));
          deps.addedToGroup(group, deviceId);
          return { deviceId, ok: true };
        });
      }
      const succeeded = results.filter((r) => r.ok).length;
      return { action: operation.action, succeeded, failed: results.length - succeeded, results };
    },
  };
}
