/**
 * Access by group in the Data Service's reads (`@fleet/core` device-access.ts): a caller whose token
 * grants thing groups reads only the devices directly in them. The check is the one place that
 * decides; routes answer a device outside exactly as a device the service knows nothing about, so
 * the answers never tell whether an id exists outside the caller's groups.
 *
 * The groups of a device come from AWS IoT (group-membership.ts, cached a minute): a device moved
 * out of a group leaves its readers' reach within that minute, like a grant leaves with the token.
 */
import { deviceAccessOf, mayAccessDevice, type DeviceAccess } from '@fleet/core';
import type { Caller } from '@fleet/core/tokens';
import type { GroupMembership } from './group-membership.ts';

export interface DeviceScope {
  /** The devices the caller may read, from the token's groups. */
  accessOf(caller: Pick<Caller, 'groups'>): DeviceAccess;
  /** Whether the caller may read this device. */
  includes(caller: Pick<Caller, 'groups'>, deviceId: string): Promise<boolean>;
  /** The ids among `deviceIds` the caller may read (every one for an unscoped caller, without asking IoT). */
  within(caller: Pick<Caller, 'groups'>, deviceIds: Iterable<string>): Promise<ReadonlySet<string>>;
}

/**
 * Without `groups` (a deployment with no IoT control plane) a scoped caller reads no device:
 * access fails closed.
 */
export function createDeviceScope(deps: { groups?: GroupMembership }): DeviceScope {
  const inAccess = async (access: DeviceAccess, deviceId: string) =>
    access.kind === 'all' || (deps.groups !== undefined && mayAccessDevice(access, await deps.groups.groupsOf(deviceId)));

  return {
    accessOf: (caller) => deviceAccessOf(caller.groups),
    includes: (caller, deviceId) => inAccess(deviceAccessOf(caller.groups), deviceId),
    async within(caller, deviceIds) {
      const unique = [...new Set(deviceIds)];
      const access = deviceAccessOf(caller.groups);
      if (access.kind === 'all') return new Set(unique);
      const allowed = await Promise.all(unique.map(async (id) => ((await inAccess(access, id)) ? [id] : [])));
      return new Set(allowed.flat());
    },
  };
}
