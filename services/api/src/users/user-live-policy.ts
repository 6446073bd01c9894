/**
 * A user's live MQTT follows their access at once: after an admin changes a user's grants or role
 * (to or from admin changes the access too), the user's own browser IoT policy gets the access
 * their pool groups give now. Their tokens follow only at refresh; an open browser connection
 * would otherwise keep receiving a group taken away.
 */
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { deviceAccessOf } from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';
import type { BrowserPolicies } from '../live/browser-policies.ts';

export interface UserLivePolicy {
  /** Rewrites the policy of `username` for the access of `groupsNow` (their pool groups after the change). */
  sync(username: string, groupsNow: readonly string[]): Promise<void>;
}

export function createUserLivePolicy(deps: {
  readonly cognito: ApiClients['cognito'];
  readonly userPoolId: string;
  readonly browserPolicies: Pick<BrowserPolicies, 'update'>;
}): UserLivePolicy {
  return {
    async sync(username, groupsNow) {
      // The policy is named after the user's sub, which only the pool knows (tokens of this admin carry theirs).
      const user = await deps.cognito.send(new AdminGetUserCommand({ UserPoolId: deps.userPoolId, Username: username }));
      const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
      if (!sub) throw new Error(`AdminGetUser answered user ${username} without sub`);
      await deps.browserPolicies.update(sub, deviceAccessOf(groupsNow));
    },
  };
}
