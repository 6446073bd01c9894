/**
 * A user's groups in the user pool now (AdminListGroupsForUser, every page): their role and their
 * device grants (`thing-group:<name>`, `@fleet/core` device-access.ts). Tokens carry the groups of
 * their sign-in; administration reads the pool.
 */
import { AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { ApiClients } from '../aws-clients.ts';

export async function poolGroupsOf(cognito: ApiClients['cognito'], userPoolId: string, username: string): Promise<string[]> {
  const groups: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: username, ...(NextToken ? { NextToken } : {}) }),
    );
    for (const g of out.Groups ?? []) if (g.GroupName) groups.push(g.GroupName);
    NextToken = out.NextToken;
  } while (NextToken);
  return groups;
}
