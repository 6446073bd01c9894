/**
 * The retention policy of one device: the fleet's, overridden by its thing groups' policies
 * (`effectiveRetention`: per level the longest any of its groups asks for). Its groups are AWS IoT's
 * (the alarms' cached membership) and asked only when some group has a policy.
 */
import { effectiveRetention, type RetentionPolicy } from '@fleet/core';
import type { GroupMembership } from '../group-membership.ts';
import type { RetentionStore } from './retention-store.ts';

export type PolicyOf = (deviceId: string) => Promise<RetentionPolicy>;

export function createDeviceRetention(deps: { settings: Pick<RetentionStore, 'get'>; groups?: GroupMembership }): PolicyOf {
  return async (deviceId) => {
    const settings = await deps.settings.get();
    if (Object.keys(settings.groups).length === 0 || !deps.groups) return settings.fleet;
    return effectiveRetention(settings, [...(await deps.groups.groupsOf(deviceId))]);
  };
}
