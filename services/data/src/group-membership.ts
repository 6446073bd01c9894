/**
 * Which AWS IoT thing groups a device is in, for alarm definitions and retention of `group` scope,
 * for the device access of scoped callers (device-scope.ts) and group live topics: the registry of
 * groups is AWS IoT's (ListThingGroupsForThing), asked at most once a minute per device. Only
 * asked when some reader needs it.
 */
import { ListThingGroupsForThingCommand, ListThingsInThingGroupCommand, type IoTClient } from '@aws-sdk/client-iot';

export interface GroupMembership {
  /** The names of the thing groups the device is in (cached). */
  groupsOf(deviceId: string): Promise<ReadonlySet<string>>;
}

export function createGroupMembership(deps: { iot: Pick<IoTClient, 'send'>; ttlMs?: number; now?: () => number }): GroupMembership {
  const ttlMs = deps.ttlMs ?? 60_000;
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { at: number; groups: Promise<ReadonlySet<string>> }>();

  async function load(deviceId: string): Promise<ReadonlySet<string>> {
    const groups = new Set<string>();
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await deps.iot.send(new ListThingGroupsForThingCommand({ thingName: deviceId, maxResults: 100, nextToken }));
      } catch (err) {
        // A reading of a device that is no thing (revoked meanwhile) is in no group; anything else is retried.
        if ((err as { name?: string } | null)?.name === 'ResourceNotFoundException') return groups;
        throw err;
      }
      for (const g of page.thingGroups ?? []) if (g.groupName) groups.add(g.groupName);
      nextToken = page.nextToken;
    } while (nextToken);
    return groups;
  }

  return {
    groupsOf(deviceId) {
      const hit = cache.get(deviceId);
      if (hit && now() - hit.at < ttlMs) return hit.groups;
      // The cache is bounded by the fleet's size; entries older than the TTL are dropped as they are met.
      if (cache.size > 100_000) for (const [id, e] of cache) if (now() - e.at >= ttlMs) cache.delete(id);
      const entry = { at: now(), groups: load(deviceId) };
      cache.set(deviceId, entry);
      entry.groups.catch(() => {
        if (cache.get(deviceId) === entry) cache.delete(deviceId);
      });
      return entry.groups;
    },
  };
}

/** Every thing of a thing group, page by page (ListThingsInThingGroup answers at most 250 a page). */
export async function groupDevices(iot: Pick<IoTClient, 'send'>, thingGroupName: string): Promise<string[]> {
  const devices: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListThingsInThingGroupCommand({ thingGroupName, maxResults: 250, nextToken }));
    devices.push(...(page.things ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return devices.sort();
}
