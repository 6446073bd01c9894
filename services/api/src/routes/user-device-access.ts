/**
 * `PUT /api/users/:username/device-access` (admin): which devices a user sees, reads and commands,
 * every one or those directly in some thing groups (`@fleet/core` device-access.ts). A grant is a
 * membership of the user pool group `thing-group:<name>`, made the first time a group is granted.
 *
 * The change reaches the user's API and Data Service calls with their next token (at most the
 * access token's validity); their live MQTT follows when their browser IoT policy is rewritten.
 */
import { AdminAddUserToGroupCommand, AdminRemoveUserFromGroupCommand, CreateGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import {
  bodyLimits,
  browserPolicyDocument,
  DeviceAccessChangeSchema,
  deviceAccessLimits,
  deviceAccessOf,
  DeviceAccessSchema,
  effectiveRole,
  errorResponses,
  grantedThingGroup,
  grantGroupName,
  policyDocumentLength,
  type DeviceAccess,
} from '@fleet/core';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { awsErrorName, thingGroupExists, type ApiClients } from '../aws-clients.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { poolGroupsOf } from '../users/pool-groups.ts';
import type { UserLivePolicy } from '../users/user-live-policy.ts';
import { Username } from './users.ts';

export interface UserDeviceAccessDeps {
  readonly authorizer: Authorizer;
  readonly cognito: ApiClients['cognito'];
  readonly iot: ApiClients['iot'];
  readonly userPoolId: string;
  /** Where the user's browser IoT policy lives: its size depends on the region's name. */
  readonly region: string;
  /** Rewrites the user's browser IoT policy after the change, so their live MQTT follows at once. */
  readonly livePolicy: UserLivePolicy;
}

/** Every AWS account id has 12 digits, so the policy's length does not depend on which account. */
const anyAccount = '000000000000';

export function registerUserDeviceAccessRoutes(app: TypedApp, deps: UserDeviceAccessDeps): void {
  const { cognito, iot, userPoolId } = deps;

  /** 400 when the user's IoT policy would exceed AWS's size; 404 GroupNotFound for a thing group that does not exist. */
  async function checkGrantable(access: DeviceAccess): Promise<void> {
    if (access.kind === 'all') return;
    const length = policyDocumentLength(browserPolicyDocument(deps.region, anyAccount, access));
    if (length > deviceAccessLimits.maxPolicyDocumentLength) {
      throw apiError(
        'ValidationError',
        `body/groups make a live-data IoT policy of ${length} characters; AWS IoT takes at most ` +
          `${deviceAccessLimits.maxPolicyDocumentLength}: grant fewer groups or groups with shorter names`,
      );
    }
    for (const group of access.groups) {
      if (!(await thingGroupExists(iot, group))) throw apiError('GroupNotFound', `Thing group ${JSON.stringify(group)} does not exist`);
    }
  }

  /** Makes the user's grants those of `access`; answers the user's access and pool groups afterwards. */
  async function applyDeviceAccess(
    username: string,
    current: readonly string[],
    access: DeviceAccess,
  ): Promise<{ deviceAccess: DeviceAccess; groups: string[] }> {
    const wanted = new Set(access.kind === 'all' ? [] : access.groups.map(grantGroupName));
    const held = current.filter((g) => grantedThingGroup(g) !== undefined);
    // Add before removing: removing first could leave no grant, which means every device.
    for (const group of wanted) {
      if (held.includes(group)) continue;
      try {
        await cognito.send(
          new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group, Description: 'Grants the devices of one thing group' }),
        );
      } catch (err) {
        if (awsErrorName(err) !== 'GroupExistsException') throw err;
      }
      await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }));
    }
    for (const group of held.filter((g) => !wanted.has(g))) {
      await cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }));
    }
    const groups = [...current.filter((g) => grantedThingGroup(g) === undefined), ...wanted];
    return { deviceAccess: deviceAccessOf(groups), groups };
  }

  app.put(
    '/api/users/:username/device-access',
    {
      onRequest: deps.authorizer.require('manageUsers'),
      schema: {
        tags: ['users'],
        summary: 'Set which devices a user sees, reads and commands: every device, or only those directly in some thing groups',
        description:
          `A user limited to groups sees only their devices in lists, counts and the overview, and any other device answers ` +
          `404 as one that does not exist. Admins always see every device: setting an admin's access answers 409. ` +
          `At most ${deviceAccessLimits.maxGroups} groups, and their live-data IoT policy at most ` +
          `${deviceAccessLimits.maxPolicyDocumentLength} characters. The change reaches the user's API calls when their ` +
          `tokens are refreshed (at most an hour). ${bodyLimitNote(bodyLimits.api)}`,
        security: bearer,
        params: StrictObject({ username: Username }),
        body: DeviceAccessSchema,
        response: {
          200: DeviceAccessChangeSchema,
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'UserNotFound', 'GroupNotFound', 'DeviceAccessRefused'),
        },
      },
    },
    async (request) => {
      const { username } = request.params;
      const access = request.body;
      let current: string[];
      try {
        current = await poolGroupsOf(cognito, userPoolId, username);
      } catch (err) {
        if (awsErrorName(err) === 'UserNotFoundException') throw apiError('UserNotFound', `User "${username}" does not exist`);
        throw err;
      }
      if (effectiveRole(current) === 'admin') {
        throw apiError('DeviceAccessRefused', `User "${username}" is an admin, and admins always see every device: change the role first`);
      }
      await checkGrantable(access);
      const { deviceAccess, groups } = await applyDeviceAccess(username, current, access);
      await deps.livePolicy.sync(username, groups);
      request.log.info({ username, deviceAccess, by: authOf(request).username }, 'device access changed');
      return { username, deviceAccess };
    },
  );
}
