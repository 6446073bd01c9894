/**
 * Which granted thing groups each device is directly in, for the live re-publisher: the groups
 * granted to some user (`@fleet/core` device-access.ts: user pool groups `thing-group:<group>`,
 * Cognito ListGroups) and their devices (AWS IoT ListThingsInThingGroup), one snapshot reused for
 * `ttlMs`. A fleet without grants costs one ListGroups a minute and no publish at all; with grants,
 * a call per granted group and page a minute, whatever the rate of readings (asking each device's
 * groups would cost a call per device and minute). A grant or a membership changed meanwhile
 * reaches live views within `ttlMs`.
 */
import { ListGroupsCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { IoTClient } from '@aws-sdk/client-iot';
import { grantedThingGroup } from '@fleet/core';
import { groupDevices } from '../group-membership.ts';

export interface GrantedGroups {
  /** The granted thing groups `deviceId` is directly in (from the current snapshot). */
  groupsOf(deviceId: string): Promise<readonly string[]>;
}

export function createGrantedGroups(deps: {
  cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  iot: Pick<IoTClient, 'send'>;
  userPoolId: string;
  ttlMs?: number;
  now?: () => number;
}): GrantedGroups {
  const ttlMs = deps.ttlMs ?? 60_000;
  const retryMs = Math.min(ttlMs, 5_000);
  const now = deps.now ?? Date.now;
  let cached: { at: number; snapshot: Promise<ReadonlyMap<string, readonly string[]>> } | undefined;

  async function grantedNames(): Promise<string[]> {
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      // ListGroups answers at most 60 a page.
      const page = await deps.cognito.send(new ListGroupsCommand({ UserPoolId: deps.userPoolId, Limit: 60, NextToken }));
      for (const g of page.Groups ?? []) {
        const granted = g.GroupName === undefined ? undefined : grantedThingGroup(g.GroupName);
        if (granted) names.push(granted);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return names;
  }

  async function load(): Promise<ReadonlyMap<string, readonly string[]>> {
    const byDevice = new Map<string, string[]>();
    for (const group of await grantedNames()) {
      let devices: string[];
      try {
        devices = await groupDevices(deps.iot, group);
      } catch (err) {
        // A grant of a thing group that does not exist (deleted since) has no devices.
        if ((err as { name?: string } | null)?.name === 'ResourceNotFoundException') continue;
        throw err;
      }
      for (const d of devices) byDevice.set(d, [...(byDevice.get(d) ?? []), group]);
    }
    return byDevice;
  }

  return {
    async groupsOf(deviceId) {
      const at = now();
      if (!cached || at - cached.at >= ttlMs) {
        const entry = { at, snapshot: load() };
        cached = entry;
        // A failed load is kept a few seconds only: asked again soon, never once per reading.
        entry.snapshot.catch(() => {
          if (cached === entry) cached = { at: at - ttlMs + retryMs, snapshot: entry.snapshot };
        });
      }
      return (await cached.snapshot).get(deviceId) ?? [];
    },
  };
}
