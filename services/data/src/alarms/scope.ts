/** Whether a definition watches a device: its own id, a thing group it is in, or every device. */
import type { AlarmDefinition } from '@fleet/core';
import type { GroupMembership } from '../group-membership.ts';

/** The definitions among `definitions` that watch `deviceId` (asks IoT for groups only when one has a group scope). */
export async function definitionsWatching<D extends AlarmDefinition>(
  definitions: readonly D[],
  deviceId: string,
  groups: GroupMembership,
): Promise<D[]> {
  const needsGroups = definitions.some((d) => d.scope.kind === 'group');
  const groupsOfDevice = needsGroups ? await groups.groupsOf(deviceId) : new Set<string>();
  return definitions.filter((d) => {
    const scope = d.scope;
    if (scope.kind === 'fleet') return true;
    if (scope.kind === 'device') return scope.deviceId === deviceId;
    return groupsOfDevice.has(scope.groupName);
  });
}
