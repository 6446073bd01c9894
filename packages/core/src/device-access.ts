/**
 * Access by group: an admin grants a user one or more AWS IoT thing groups, and from then on that
 * user sees, reads and commands only the devices directly in those groups: in the API Service, in
 * the Data Service's reads and in live MQTT. A user with no grant sees every device (Fleet is one
 * organisation, see auth.ts), and an admin always sees every device.
 *
 * A grant is a membership of the Cognito user pool group `thing-group:<thing group>`, so it travels
 * in the access token's `cognito:groups` claim beside the role: the API Service, the Data Service
 * and API Gateway's authorizer judge it from the token alone, as they judge the role. Like a role
 * change, a changed grant reaches a token when it is refreshed (at most `tokenValidity.accessTokenMinutes`);
 * live MQTT follows at once, because the user's IoT policy is rewritten when the grant changes.
 *
 * The access is stated whole, never as "no grant left": taking a user's last group away would
 * otherwise widen their access to every device. `{ kind: 'all' }` is the only way back to all.
 */
import { Type, type Static } from 'typebox';
import { effectiveRole } from './auth.ts';

/** The prefix of the user pool groups that grant a thing group. */
export const thingGroupGrantPrefix = 'thing-group:';

export const deviceAccessLimits = {
  /** Thing groups one user may be granted: each adds two resources to the user's IoT policy, whose document AWS caps (below). */
  maxGroups: 10,
  /** Cognito group names are at most 128 characters, the prefix included. */
  maxGroupNameLength: 128 - thingGroupGrantPrefix.length,
  /** AWS IoT's limit on a policy document, whitespace excluded. */
  maxPolicyDocumentLength: 2048,
} as const;

const GrantedGroupSchema = Type.String({
  pattern: `^[a-zA-Z0-9:_-]{1,${deviceAccessLimits.maxGroupNameLength}}$`,
  maxLength: deviceAccessLimits.maxGroupNameLength,
  description: `A thing group name (at most ${deviceAccessLimits.maxGroupNameLength} characters: the user pool group adds "${thingGroupGrantPrefix}")`,
});

/** Which devices a user may see: every one, or those directly in some thing groups. */
export const DeviceAccessSchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('all', { description: 'Every device' }) }, { additionalProperties: false }),
    Type.Object(
      {
        kind: Type.Literal('groups', { description: 'Only the devices directly in these thing groups' }),
        groups: Type.Array(GrantedGroupSchema, { minItems: 1, maxItems: deviceAccessLimits.maxGroups, uniqueItems: true }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'Which devices the user sees, reads and commands (admins always see every device)' },
);
export type DeviceAccess = Static<typeof DeviceAccessSchema>;

export const allDevices: DeviceAccess = { kind: 'all' };

/** The user pool group that grants a thing group. */
export function grantGroupName(thingGroup: string): string {
  return `${thingGroupGrantPrefix}${thingGroup}`;
}

/** The thing group a user pool group grants, or undefined for any other group (a role). */
export function grantedThingGroup(poolGroup: string): string | undefined {
  return poolGroup.startsWith(thingGroupGrantPrefix) ? poolGroup.slice(thingGroupGrantPrefix.length) || undefined : undefined;
}

/**
 * A user's access from their user pool groups (the token's `cognito:groups`, or the pool's now):
 * every device for an admin and for a user without grants, else the granted thing groups.
 */
export function deviceAccessOf(poolGroups: readonly string[]): DeviceAccess {
  if (effectiveRole(poolGroups) === 'admin') return allDevices;
  const groups = [...new Set(poolGroups.flatMap((g) => grantedThingGroup(g) ?? []))].sort();
  return groups.length === 0 ? allDevices : { kind: 'groups', groups };
}

/** Whether a device in `deviceGroups` (the thing groups it is directly in) is within `access`. */
export function mayAccessDevice(access: DeviceAccess, deviceGroups: Iterable<string>): boolean {
  if (access.kind === 'all') return true;
  for (const g of deviceGroups) if (access.groups.includes(g)) return true;
  return false;
}
