/**
 * The one judgement of "may this caller reach this device" in the API Service (access by group,
 * `@fleet/core` device-access.ts). A caller whose token carries `thing-group:<g>` grants reaches only
 * the devices directly in those thing groups; an admin and a caller without grants reach every device.
 *
 * A device outside the caller's access is answered exactly as a device that is not registered
 * (404 DeviceNotFound, same message), so a scoped user cannot tell an id that exists from one that
 * does not. Operations that name a thing group or the whole fleet are refused with 403
 * OutsideDeviceAccess instead: the group or the fleet is not a secret, the refusal is what matters.
 *
 * Membership is read from the device index (`membersOf`, ListThingsInThingGroup, cached
 * `groupMaxAgeMs`): a device added to a granted group elsewhere shows within that time.
 */
import { deviceAccessOf, type DeviceAccess, type DeviceRecord } from '@fleet/core';
import type { Caller } from '@fleet/core/tokens';
import type { onRequestAsyncHookHandler } from 'fastify';
import { authOf } from './authorize.ts';
import type { DeviceIndex, IndexScope } from '../devices/device-index.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import { apiError } from '../errors.ts';

export interface DeviceScope {
  /** The caller's access, from the groups of their token. */
  accessOf(caller: Caller): DeviceAccess;
  /** The devices the caller may reach (for lists and counts), or undefined when they may reach every device. */
  visible(caller: Caller): Promise<IndexScope | undefined>;
  /** Whether the caller may reach the device (registered or not). */
  includes(caller: Caller, deviceId: string): Promise<boolean>;
  /** 404 DeviceNotFound when the caller may not reach the device, for routes that read the device themselves. */
  requireReach(caller: Caller, deviceId: string): Promise<void>;
  /** The registered device when the caller may reach it; undefined otherwise, as for a device not registered. */
  device(caller: Caller, deviceId: string): Promise<DeviceRecord | undefined>;
  /**
   * Whether the caller may read the device's data: within reach and registered as the device page
   * sees it (`DeviceIndex.record`, at most its `registryMaxAgeMs` old; a device this task does not
   * know is read at once). For reads polled by pages and widgets, which need no GetItem each.
   */
  mayRead(caller: Caller, deviceId: string): Promise<boolean>;
  /** The registered device the caller may reach, or 404 DeviceNotFound (the same answer whether it exists or not). */
  requireDevice(caller: Caller, deviceId: string): Promise<DeviceRecord>;
}

/** The 404 of a device that is not registered, or that the caller may not reach: one answer for both. */
export const deviceNotFound = (deviceId: string) => apiError('DeviceNotFound', `Device "${deviceId}" is not registered`);

/** Whether the caller may act on a thing group as a whole: every group, or one granted to them. */
export function mayUseGroup(caller: Caller, group: string): boolean {
  const access = deviceAccessOf(caller.groups);
  return access.kind === 'all' || access.groups.includes(group);
}

/** Refuses a scoped caller a thing group they were not granted (403 OutsideDeviceAccess). */
export function requireGroup(caller: Caller, group: string): void {
  const access = deviceAccessOf(caller.groups);
  if (access.kind === 'groups' && !access.groups.includes(group)) {
    throw apiError(
      'OutsideDeviceAccess',
      `Thing group ${JSON.stringify(group)} is not granted to you; your groups: ${grantedList(access)}`,
    );
  }
}

/** Refuses a scoped caller an operation that reaches the whole fleet (403 OutsideDeviceAccess); `what` names it. */
export function requireWholeFleet(caller: Caller, what: string): void {
  const access = deviceAccessOf(caller.groups);
  if (access.kind === 'groups') {
    throw apiError(
      'OutsideDeviceAccess',
      `${what}: this reaches beyond the thing groups you may see (${grantedList(access)}); ask an admin`,
    );
  }
}

/** How a scoped caller's groups read in a refusal. */
const grantedList = (access: Extract<DeviceAccess, { kind: 'groups' }>) => access.groups.map((g) => JSON.stringify(g)).join(', ');

export function createDeviceScope(deps: {
  registry: Pick<DeviceRegistry, 'get'>;
  index: Pick<DeviceIndex, 'membersOf' | 'record'>;
}): DeviceScope {
  const { registry, index } = deps;
  const accessOf = (caller: Caller) => deviceAccessOf(caller.groups);

  async function includes(caller: Caller, deviceId: string): Promise<boolean> {
    const access = accessOf(caller);
    if (access.kind === 'all') return true;
    for (const group of access.groups) if ((await index.membersOf(group)).has(deviceId)) return true;
    return false;
  }

  async function device(caller: Caller, deviceId: string): Promise<DeviceRecord | undefined> {
    // Membership first: an id outside costs no registry read, and answers as fast as one not registered.
    if (!(await includes(caller, deviceId))) return undefined;
    return registry.get(deviceId);
  }

  return {
    accessOf,
    async visible(caller) {
      const access = accessOf(caller);
      if (access.kind === 'all') return undefined;
      const ids = new Set<string>();
      for (const group of access.groups) for (const id of await index.membersOf(group)) ids.add(id);
      // Callers with the same grants see the same devices: the key lets them share one copy of the states.
      return { key: access.groups.join('\n'), ids };
    },
    includes,
    async requireReach(caller, deviceId) {
      if (!(await includes(caller, deviceId))) throw deviceNotFound(deviceId);
    },
    device,
    async mayRead(caller, deviceId) {
      return (await includes(caller, deviceId)) && (await index.record(deviceId)) !== undefined;
    },
    async requireDevice(caller, deviceId) {
      const found = await device(caller, deviceId);
      if (!found) throw deviceNotFound(deviceId);
      return found;
    },
  };
}

/** An `onRequest` hook after `require(...)`: the route reaches the whole fleet, so a scoped caller gets 403 before anything runs. */
export function wholeFleetOnly(what: string): onRequestAsyncHookHandler {
  return async (request) => requireWholeFleet(authOf(request), what);
}
